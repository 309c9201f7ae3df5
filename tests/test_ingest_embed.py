"""The embedding step of ingest: order kept across threads, only changed text re-embedded."""

from __future__ import annotations

import threading
from pathlib import Path

from assistant.embedders import HashEmbeddings
from ingest.embed import CACHE_FILE, embed_chunks, embed_parallel


class Counting(HashEmbeddings):
    seen: list[str] = []
    instances = 0
    lock = threading.Lock()

    def __init__(self) -> None:
        super().__init__()
        Counting.instances += 1

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self.lock:
            Counting.seen.extend(texts)
        return super().embed_documents(texts)


def _reset() -> None:
    Counting.seen, Counting.instances = [], 0


def test_parallel_embedding_keeps_the_order_of_the_texts() -> None:
    texts = [f"テキスト{i}" * (i % 7 + 1) for i in range(23)]
    _reset()
    got = embed_parallel(Counting, texts, workers=2)
    assert got == HashEmbeddings().embed_documents(texts)
    assert sorted(Counting.seen) == sorted(texts) and Counting.instances == 2  # one embedder per worker
    assert embed_parallel(Counting, [], workers=2) == []


def test_a_rebuild_embeds_only_the_text_that_changed(tmp_path: Path) -> None:
    texts = ["伴走支援の活用状況", "受けていない理由", "支援の種別"]
    _reset()
    first, n = embed_chunks(tmp_path, "hash:test", Counting, texts, workers=2)
    assert n == 3 and (tmp_path / CACHE_FILE).exists()
    _reset()
    changed = [texts[0], "受けていない理由（改訂）", texts[2]]
    second, n = embed_chunks(tmp_path, "hash:test", Counting, changed, workers=2)
    assert n == 1 and Counting.seen == ["受けていない理由（改訂）"]
    assert second[0] == first[0] and second[2] == first[2]
    assert second == HashEmbeddings().embed_documents(changed)
    _reset()
    _, n = embed_chunks(tmp_path, "other:embedder", Counting, changed, workers=1)
    assert n == 3  # another embedder's vectors are never reused


def test_a_damaged_cache_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    (tmp_path / CACHE_FILE).write_text("{broken", encoding="utf-8")
    _reset()
    vectors, n = embed_chunks(tmp_path, "hash:test", Counting, ["a", "b"], workers=2)
    assert n == 2 and vectors == HashEmbeddings().embed_documents(["a", "b"])
