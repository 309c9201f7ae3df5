"""Probes an attacker or a careless client would send, against a live server on 127.0.0.1.

Each probe is bounded in count, bytes and time, and stops what it starts. The fast ones use the
fake service; the ones about the cost of understanding use the real store.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from assistant.api import create_app
from assistant.loadtest import free_port
from assistant.settings import Settings
from tests.fakes import FakeService
from tests.servers import serve_app

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 64 * 1024
ORIGIN = "https://host.example"

pytestmark = pytest.mark.hardening


class ExplodingService(FakeService):
    """Fails in a way no domain error describes, for the 500 path."""

    def ask(self, question: str, history: Any = ()) -> Any:
        if "boom" in question:
            raise RuntimeError("secret internal detail")
        return super().ask(question, history)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        max_body_bytes=LIMIT,
        read_timeout=1.0,
        cors_origins=(ORIGIN,),
        frame_ancestors=("https://host.example",),
        feedback=tmp_path_factory.mktemp("fb") / "feedback.jsonl",
    )
    with serve_app(create_app(ExplodingService(), settings), head_timeout=1.0) as url:
        yield url


def _conn(base: str, timeout: float = 10.0) -> http.client.HTTPConnection:
    u = urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def _request(
    base: str, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Any:
    c = _conn(base)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def _post_json(base: str, payload: Any, headers: dict[str, str] | None = None) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return _request(base, "POST", "/api/ask", body, {"Content-Type": "application/json", **(headers or {})})


# --- body size --------------------------------------------------------------------------------


def test_a_chunked_body_is_cut_off_at_the_limit(base: str) -> None:
    """No Content-Length: the server counts what it reads and answers 413 once past the limit."""
    sent = 0
    started = time.monotonic()

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"question": "q", "pad": "'
        while sent < 40 * LIMIT:  # far more than the limit; the server must not wait for it all
            sent += 16 * 1024
            yield b"x" * (16 * 1024)
        yield b'"}'

    c = _conn(base)
    try:
        try:
            c.request(
                "POST", "/api/ask", body=chunks(), headers={"Content-Type": "application/json"}, encode_chunked=True
            )
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        r = c.getresponse()
        assert r.status == 413 and "too large" in json.loads(r.read())["detail"]
    finally:
        c.close()
    assert time.monotonic() - started < 10


def test_a_declared_oversized_body_is_refused_before_it_is_read(base: str) -> None:
    s = socket.create_connection(("127.0.0.1", urlparse(base).port), timeout=5)
    try:
        head = f"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {10**9}\r\n\r\n"
        s.sendall(head.encode())
        reply = s.recv(4096).decode("latin-1")
    finally:
        s.close()
    assert reply.startswith("HTTP/1.1 413")


def test_a_huge_history_fails_fast_in_validation(base: str) -> None:
    payload = b'{"question": "q", "history": [' + b",".join(b"1" for _ in range(30_000)) + b"]}"
    assert len(payload) < LIMIT
    started = time.monotonic()
    status, _h, body = _post_json(base, payload)
    assert status in (400, 422) and "history" in json.loads(body)["detail"]
    assert time.monotonic() - started < 2.0


def test_too_many_turns_is_a_clear_400(base: str) -> None:
    status, _h, body = _post_json(base, {"question": "q", "history": ["a"] * 11})
    assert status == 400 and "Too many history turns" in json.loads(body)["detail"]


# --- bad text ---------------------------------------------------------------------------------


def test_a_lone_surrogate_is_a_clear_400_not_a_500(base: str) -> None:
    for raw in (b'{"question": "\\ud800?"}', b'{"question": "q", "history": ["\\udfff"]}'):
        status, _h, body = _post_json(base, raw)
        assert status == 400, body
        assert "Unicode" in json.loads(body)["detail"]


def test_every_other_entry_cleans_lone_surrogates(real_service: Any) -> None:
    answer = real_service.ask("\ud800伴走支援とは？", ["\udfff", {"question": "x\ud800", "answer": "\udc00"}])
    json.dumps(answer.to_dict(), ensure_ascii=False).encode("utf-8")  # writable: no surrogate left
    assert "\ufffd" in answer.question and not answer.abstained


def test_an_invisible_only_question_is_empty_not_an_answer(base: str) -> None:
    status, _h, body = _post_json(base, {"question": "\u200b\u200b\u2060"})
    assert status == 400 and "empty" in json.loads(body)["detail"]


# --- methods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("TRACE", "/healthz", "GET"),
        ("PUT", "/api/ask", "POST"),
        ("DELETE", "/api/ask", "POST"),
        ("PATCH", "/api/ask", "POST"),
        ("GET", "/api/ask", "POST"),
        ("POST", "/api/stats", "GET"),
        ("DELETE", "/api/stats/2-3", "GET"),
    ],
)
def test_an_undeclared_method_is_405_with_allow(base: str, method: str, path: str, allow: str) -> None:
    status, headers, body = _request(base, method, path)
    assert status == 405, (method, path, status)
    assert allow in headers.get("allow", "") and "detail" in json.loads(body)


# --- errors carry CORS, and say nothing internal ------------------------------------------------


def test_413_and_500_carry_the_cors_header(base: str) -> None:
    status, headers, _ = _post_json(base, {"question": "q", "pad": "x" * (2 * LIMIT)}, {"Origin": ORIGIN})
    assert status == 413 and headers.get("access-control-allow-origin") == ORIGIN
    status, headers, body = _post_json(base, {"question": "boom"}, {"Origin": ORIGIN})
    assert status == 500 and headers.get("access-control-allow-origin") == ORIGIN
    assert b"secret internal detail" not in body and b"Traceback" not in body


def test_a_slow_client_is_timed_out(base: str) -> None:
    s = socket.create_connection(("127.0.0.1", urlparse(base).port), timeout=10)
    try:
        head = "POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        s.sendall(head.encode() + b'{"question"')  # then nothing: the rest never comes
        started = time.monotonic()
        reply = s.recv(4096).decode("latin-1")
    finally:
        s.close()
    assert reply.startswith("HTTP/1.1 408") and time.monotonic() - started < 8


def test_a_request_head_that_never_ends_is_closed(base: str) -> None:
    """Half a request line, then silence (slowloris): the server closes the connection."""
    s = socket.create_connection(("127.0.0.1", urlparse(base).port), timeout=10)
    try:
        s.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        assert s.recv(4096) == b""  # closed, nothing sent
    finally:
        s.close()
    assert time.monotonic() - started < 8


def test_the_ui_keeps_only_what_the_server_knows_from_a_like_event() -> None:
    from assistant.feedback import like_vote, reason_key, session_key
    from ui import message_turn

    assert like_vote(True) == "like" and like_vote(False) == "dislike" and like_vote("") == "withdrawn"
    assert like_vote({"liked": "x"}) is None and like_vote("x" * 1000) is None and like_vote(None) is None
    assert message_turn(3) == 1 and message_turn([5, 0]) == 2
    assert message_turn(-1) is None and message_turn("3") is None and message_turn(10**12) is None
    assert reason_key("数値が違う") == "wrong_number" and reason_key("wrong_chart") == "wrong_chart"
    assert reason_key("<script>") is None and reason_key(["数値が違う"]) is None
    assert session_key("abc123_-") == "abc123_-" and session_key("a" * 65) == "" and session_key("../x") == ""


# --- pages and frames ---------------------------------------------------------------------------


def test_pages_say_who_may_frame_them(base: str) -> None:
    _s, headers, _ = _request(base, "GET", "/docs")
    assert "frame-ancestors 'self'" in headers.get("content-security-policy", "")
    _s, headers, _ = _request(base, "GET", "/widget")
    assert "frame-ancestors https://host.example" in headers.get("content-security-policy", "")
    assert "x-frame-options" not in headers


def test_the_schema_declares_every_limit(base: str) -> None:
    _s, _h, body = _request(base, "GET", "/openapi.json")
    spec = json.loads(body)
    ask = spec["components"]["schemas"]["AskRequest"]["properties"]
    assert ask["question"]["maxLength"] == Settings().max_question_chars and ask["question"]["minLength"] == 1
    assert ask["history"]["maxItems"] == Settings().max_history_turns
    turn = spec["components"]["schemas"]["HistoryTurn"]
    assert "question" in turn["required"] and turn["properties"]["answer"]["maxLength"] > 0


# --- the cost of understanding (real store) -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("\ufdfa" * 1000, []),  # one character, 18 after NFKC
        ("あ" * 1000, ["い" * 1000] * 10),  # no 、。 anywhere: nothing for a pattern to backtrack on
        ("それは？", ["\ufdfa" * 500 + "、" + "\ufdfa" * 499] * 2),  # past Sudachi's byte limit if joined
        ("伴走支援" * 250, ["それ" * 500] * 10),
    ],
)
def test_hostile_text_costs_little(real_service: Any, question: str, history: list[str]) -> None:
    started = time.monotonic()
    answer = real_service.ask(question, history)
    assert answer.answer
    assert time.monotonic() - started < 2.0  # a bound on hostile input, not a speed target


# --- the server's own start-up --------------------------------------------------------------


@pytest.mark.parametrize("port", ["abc", "99999"])
def test_a_bad_port_is_one_clear_line(port: str, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PORT": port, "HF_HUB_OFFLINE": "1", "BANSOU_STORE": str(tmp_path / "none")}
    r = subprocess.run(
        [sys.executable, str(ROOT / "ui.py")], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and f"PORT={port!r}" in r.stderr


# --- a real Chroma server (chroma run, on loopback, stopped by the test) -----------------------


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    from assistant.loadtest import LoadError, chroma_server

    if not Path(sys.executable).with_name("chroma").exists():
        pytest.skip("the chroma command is not installed beside this Python")
    try:
        with chroma_server(tmp_path / "chroma") as server:
            yield server
    except LoadError as e:
        pytest.fail(str(e))


def _collections(url: str) -> set[str]:
    from assistant.storage import chroma_client

    client = chroma_client(url, Path("unused"))
    return {c.name for c in client.list_collections()}


@pytest.mark.slow
def test_chroma_server_mode_times_out_says_503_and_cleans_up(
    chroma_server: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    from assistant.service import build_service
    from assistant.settings import load_settings
    from ingest.pipeline import ingest

    url, proc = chroma_server
    settings = load_settings(store=tmp_path / "store", chroma=url, embedder="hash", dense_weight=0.5)
    for _ in range(3):  # three builds: the oldest one's collection must go from the server
        ingest([ROOT / "corpus"], settings, force=True)
    builds = sorted(p.name for p in (tmp_path / "store" / "builds").iterdir())
    assert len(builds) == 2 and not any(b.endswith(".partial") for b in builds)
    assert _collections(url) == {f"{settings.collection}-{b}"[:63] for b in builds}

    service = build_service(settings)
    assert service.health()["status"] == "ok"
    assert not service.ask("伴走支援を受けていない理由は？").abstained

    proc.terminate()
    proc.wait(timeout=10)
    started = time.monotonic()
    health = service.health()
    assert health["status"] == "unavailable" and "Chroma server" in health["vectors"]
    from assistant.errors import BackendUnavailable

    with pytest.raises(BackendUnavailable, match="Chroma server"):
        service.ask("伴走支援って誰が言い出した考え方？")  # a prose question, with dense fusion on, needs the vectors
    assert time.monotonic() - started < 20  # timeouts, never a hang
    assert "37.1" in service.ask("伴走支援を受けている企業の割合は？").answer  # a chart answer needs none


def test_a_chroma_server_that_is_not_there_is_one_line_at_startup(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HF_HUB_OFFLINE": "1",
        "BANSOU_STORE": str(tmp_path / "store"),
        "BANSOU_EMBEDDER": "hash",
    }
    subprocess.run([sys.executable, "-m", "ingest", "-q", str(ROOT / "corpus")], env=env, check=True, timeout=120)
    dead = {**env, "BANSOU_CHROMA": f"http://127.0.0.1:{free_port()}"}
    dense = {**dead, "BANSOU_DENSE_WEIGHT": "0.5"}  # a question that needs the vectors
    for cmd, run_env in (
        (["-m", "ingest", "-q", "--force", str(ROOT / "corpus")], dead),
        (["-m", "assistant", "ask", "伴走支援とは？"], dense),
    ):
        r = subprocess.run([sys.executable, *cmd], env=run_env, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Chroma server" in lines[0], r.stderr
    # a question that needs no vectors is answered while the server is down (BM25 and the charts)
    r = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "伴走支援を受けている企業の割合は？"],
        env=dead,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert r.returncode == 0 and "37.1" in r.stdout, r.stderr


# --- damaged stores, crashed builds, the CLI batch -------------------------------------------


@pytest.fixture
def hash_store(tmp_path: Path) -> Path:
    from assistant.settings import load_settings
    from ingest.pipeline import ingest

    store = tmp_path / "store"
    ingest([ROOT / "corpus"], load_settings(store=store, embedder="hash"), force=True)
    return store


@pytest.mark.parametrize(("name", "content"), [("documents.json", "[]"), ("charts.json", "{}"), ("chunks.json", "[]")])
def test_a_damaged_store_fails_in_one_clear_line(hash_store: Path, name: str, content: str) -> None:
    from assistant.errors import StoreMissing
    from assistant.service import build_service
    from assistant.settings import load_settings
    from assistant.storage import current_build

    build = current_build(hash_store)
    assert build is not None
    (build / name).write_text(content, encoding="utf-8")
    with pytest.raises(StoreMissing, match="damaged"):
        build_service(load_settings(store=hash_store, embedder="hash"))


def test_what_a_crashed_build_left_is_removed_by_the_next(hash_store: Path) -> None:
    from assistant.settings import load_settings
    from ingest.pipeline import ingest

    leftover = hash_store / "builds" / "0123456789ab-1.partial"
    (leftover / "chroma").mkdir(parents=True)
    ingest([ROOT / "corpus"], load_settings(store=hash_store, embedder="hash"), force=True)
    assert not leftover.exists()
    assert not any(p.name.endswith(".partial") for p in (hash_store / "builds").iterdir())


def test_the_cli_batch_reports_bad_lines_and_goes_on(hash_store: Path) -> None:
    lines = [
        "伴走支援とは？".encode(),
        b"{not json",
        b'{"question": "\\ud800?"}',
        b"\xff\xfe broken utf-8 \xc3",
        b'{"question": 12}',
        b'{"question": "q", "history": "x"}',
        "調査期間は？".encode(),
    ]
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "BANSOU_STORE": str(hash_store), "BANSOU_EMBEDDER": "hash"}
    r = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--jsonl"],
        input=b"\n".join(lines) + b"\n",
        env=env,
        capture_output=True,
        timeout=120,
        cwd=ROOT,
    )
    out = [json.loads(x) for x in r.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines) and r.returncode == 1, r.stderr
    assert "answer" in out[0] and "answer" in out[-1]
    assert {i for i, o in enumerate(out) if "error" in o} >= {1, 4, 5}
    assert b"Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        (b"GARBAGE\r\n\r\n", "HTTP"),
        (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\nContent-Length: abc\r\n\r\n", "malformed"),
        (
            b"POST /api/ask HTTP/1.1\r\nHost: x\r\nAccept-Language: ja\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "不正",
        ),
    ],
)
def test_a_broken_http_request_gets_json(base: str, raw: bytes, needle: str) -> None:
    s = socket.create_connection(("127.0.0.1", urlparse(base).port), timeout=5)
    try:
        s.sendall(raw)
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    finally:
        s.close()
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head
    assert needle in json.loads(body)["detail"]
