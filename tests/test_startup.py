"""What a start costs: a question that needs no dense search imports neither Chroma nor LangChain's
runnables, start-up's own tokenization is replayed from a memo, and the LangChain chain still
answers the same. (Times are measured by `make bench`, not asserted here.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.lexical import SudachiTokenizer

ROOT = Path(__file__).resolve().parents[1]


def test_the_tokenizer_memo_replays_start_up_and_is_dropped_after(tmp_path: Path) -> None:
    path = tmp_path / "memo.json"
    first = SudachiTokenizer()
    first.remember(path)
    expected = (first.tokens("伴走支援を受けている企業"), first.readings("税理士に相談"))
    first.forget()
    assert json.loads(path.read_text(encoding="utf-8"))["texts"]

    second = SudachiTokenizer()
    second.remember(path)
    second._get = lambda: pytest.fail("the dictionary was used for a remembered text")  # type: ignore[method-assign]
    assert (second.tokens("伴走支援を受けている企業"), second.readings("税理士に相談")) == expected
    second.forget()
    assert second._memo == {}  # nothing kept once start-up is over
    del second._get
    assert second.tokens("伴走支援") == first.tokens("伴走支援")  # and questions are analysed as before


def test_a_memo_of_another_sudachi_or_a_broken_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "memo.json"
    path.write_text(json.dumps({"version": "0/old/old", "texts": {"伴走支援": [["x", "x", "名詞", "", "x"]]}}), "utf-8")
    tok = SudachiTokenizer()
    tok.remember(path)
    assert tok.tokens("伴走支援") == ["伴走", "支援"]
    path.write_text("{not json", "utf-8")
    tok = SudachiTokenizer()
    tok.remember(path)
    assert tok.tokens("伴走支援") == ["伴走", "支援"]
    tok.remember(tmp_path / "missing" / "memo.json")
    tok.forget()  # cannot write there: start-up still succeeds


@pytest.mark.slow
def test_a_chart_question_needs_no_chroma_and_no_langchain_runnables(real_store: Path) -> None:
    code = (
        "import sys, json\n"
        "from assistant.service import build_service\n"
        "from assistant.settings import load_settings\n"
        f"s = build_service(load_settings(env={{}}, store={str(real_store)!r}))\n"
        "a = s.ask('伴走支援を受けている企業の割合は？')\n"
        "print(json.dumps(['37.1' in a.answer, 'chromadb' in sys.modules, 'langchain_core.runnables' in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [True, False, False]


@pytest.mark.slow
def test_the_langchain_chain_and_retriever_answer_as_ask_does(real_service) -> None:  # type: ignore[no-untyped-def]
    from assistant.records import Answer

    question = "伴走支援を受けていない理由は？"
    direct = real_service.ask(question)
    chained: Answer = real_service.chain.invoke({"question": question, "history": []})
    assert chained.answer == direct.answer and chained.citations == direct.citations
    docs = real_service.retriever("ja").invoke(question)
    assert docs and docs[0].metadata["section"]
