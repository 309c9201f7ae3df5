"""The real app (API + widget + Gradio UI) on a loopback port, driven by gradio_client."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.api import create_app
from assistant.settings import Settings
from tests.fakes import FakeService
from tests.servers import serve_app
from ui import build_ui

QUESTION = "伴走支援を受けていない理由は？"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("fb")
    settings = Settings(feedback=folder / "feedback.jsonl", cache=folder / "cache")
    with serve_app(create_app(FakeService(), settings, ui=build_ui)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    c = Client(base_url + "/", verbose=False, download_files=False)
    yield c
    c.close()


def test_client_asks_and_gets_a_cited_answer(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.predict(QUESTION, api_name="/ask")
    assert answer["question"] == QUESTION
    assert "162" in answer["answer"] and "[1]" in answer["answer"]
    assert answer["citations"][0]["section"] == "2-3"
    follow = client.predict("その次に多い理由は？", [QUESTION], api_name="/ask")
    assert follow["question"] == "その次に多い理由は？"


def test_client_gets_a_chart_view(client) -> None:  # type: ignore[no-untyped-def]
    caption, table, _plot, csv_file, citation = client.predict("2-3", api_name="/chart")
    assert "回答企業数347、回答総数576" in caption
    assert '<th scope="row">必要性を感じないから</th><td class="num">162件</td>' in table  # a real table
    assert citation.endswith("回答企業数347、回答総数576、複数回答）")
    path = csv_file["path"] if isinstance(csv_file, dict) else csv_file
    assert Path(str(path)).name == "chart-2-3.csv"


def test_client_sees_gradio_error_for_empty_question(client) -> None:  # type: ignore[no-untyped-def]
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="空"):
        client.predict("   ", api_name="/ask")


def test_http_routes_share_the_server(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        r = http.post("/api/ask", json={"question": QUESTION})
        assert r.status_code == 200 and "162" in r.json()["answer"]
        rows = list(csv.reader(io.StringIO(http.get("/api/stats/2-3.csv").text)))
        assert rows[1][1:4] == ["必要性を感じないから", "they see no need", "162"]
        assert http.get("/").status_code == 200


# --- the UI pieces that are not formatting ------------------------------------------------------------


def test_build_ui_sets_queue_concurrency_from_settings() -> None:
    from ui import build_ui

    demo = build_ui(FakeService(), Settings(concurrency=3))
    assert demo._queue.default_concurrency_limit == 3


def test_feedback_log_creates_its_folder_on_first_write(tmp_path: Path) -> None:
    import json

    from assistant.feedback import FeedbackLog

    path = tmp_path / "not" / "yet" / "feedback.jsonl"
    log = FeedbackLog(path)
    assert not path.parent.exists()  # nothing written at construction
    log.append({"vote": "like", "question": "質問"})
    log.append({"vote": "dislike", "question": "<b>x</b>"})
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [x["vote"] for x in lines] == ["like", "dislike"]
    assert lines[0]["question"] == "質問"


def test_csv_files_are_one_per_chart_and_never_temporary(tmp_path: Path) -> None:
    from ui import CsvFiles

    files = CsvFiles(tmp_path / "csv")
    chart = FakeService().chart("2-3")
    a, b = files.write(chart), files.write(chart)
    assert a == b and Path(a).name == "chart-2-3.csv"
    assert [p.name for p in (tmp_path / "csv").iterdir()] == ["chart-2-3.csv"]  # bounded, nothing left over
    text = Path(a).read_text(encoding="utf-8-sig")
    assert text.startswith("chart,label,label_en") and "必要性を感じないから" in text
