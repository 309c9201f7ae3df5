"""The HTTP boundary's guard, as plain ASGI middleware inside CORS (so every answer it gives,
413, 405, 408 and 500 alike, carries the CORS headers a browser needs to read it).

- **Bytes actually read are capped.** `Content-Length` is checked first; a chunked or lying
  body is counted as it arrives and cut off with a 413 as soon as it passes the limit, so no
  request can make the server hold more than `max_body_bytes`.
- **Slow clients time out.** Each body chunk must arrive within `read_timeout` seconds (408).
- **Undeclared methods get 405.** Gradio is mounted at "/" and would take any path it does
  not know; for the JSON API's own paths a wrong method is a 405 with `Allow`, not a 404.
- **Nothing unexpected escapes as a traceback.** An exception is logged and answered with a
  one-line JSON 500.
- **Pages say who may frame them.** Every response but the widget's gets the page headers
  (a CSP with frame-ancestors 'self', X-Frame-Options) unless it set its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.routing import BaseRoute, Match, Mount

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FRAMEABLE = ("/widget", "/embed.js")  # their own headers: framed by host sites
GUARDED_PREFIXES = ("/api/", "/healthz", "/openapi.json", "/docs", "/widget", "/embed.js")


class BodyTooLarge(Exception):
    pass


class ClientTooSlow(Exception):
    pass


def json_body(status: int, detail: str, headers: dict[str, str] | None = None) -> tuple[Message, Message]:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return {"type": "http.response.start", "status": status, "headers": raw}, {
        "type": "http.response.body",
        "body": body,
    }


class Guard:
    """Wraps the app: body cap, read timeout, 405 for the API's paths, JSON 500s."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        read_timeout: float,
        routes: Callable[[], list[BaseRoute]],
        page_headers: dict[str, str] | None = None,
    ) -> None:
        self.app = app
        self.page_headers = [(k.lower().encode(), v.encode()) for k, v in (page_headers or {}).items()]
        self.max_body_bytes = max_body_bytes
        self.read_timeout = read_timeout
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        guarded = path.startswith(GUARDED_PREFIXES)
        if guarded:
            allowed = self._allowed_methods(scope)
            if allowed is not None:
                await self._reply(
                    send, 405, "この方法は使えません / Method not allowed.", {"Allow": ", ".join(allowed)}
                )
                return
        length = _content_length(scope)
        if length is not None and length > self.max_body_bytes:
            await self._reply(send, 413, self._too_large())
            return
        started = False
        seen = 0
        cut: tuple[int, str] | None = None  # the reply owed instead of whatever the app makes of a cut body

        async def guarded_receive() -> Message:
            nonlocal seen, cut
            try:
                message = await asyncio.wait_for(receive(), timeout=self.read_timeout)
            except TimeoutError:
                cut = (408, "リクエストの送信が遅すぎます / The request body arrived too slowly.")
                raise ClientTooSlow from None
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    cut = (413, self._too_large())
                    raise BodyTooLarge
            return message

        framed = path.startswith(FRAMEABLE)

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if cut is not None:  # the app caught the cut and made its own reply (FastAPI: a 400): ours instead
                if message.get("type") == "http.response.start" and not started:
                    started = True
                    await self._reply(send, *cut)
                return
            if message.get("type") == "http.response.start":
                started = True
                if not framed and self.page_headers:
                    have = {k.lower() for k, _ in message.get("headers", ())}
                    extra = [(k, v) for k, v in self.page_headers if k not in have]
                    message = {**message, "headers": [*message.get("headers", ()), *extra]}
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracking_send)
        except (BodyTooLarge, ClientTooSlow):
            pass
        except Exception:  # the last line of defence: log it, answer in one line
            log.exception("unexpected error on %s", path)
            if not started:
                started = True
                await self._reply(send, 500, "内部エラーが発生しました。 / Internal error.")
        if cut is not None and not started:
            await self._reply(send, *cut)

    def _too_large(self) -> str:
        return f"リクエストが大きすぎます / The request body is too large (limit {self.max_body_bytes} bytes)."

    def _allowed_methods(self, scope: Scope) -> list[str] | None:
        """The methods a declared route takes when the path matches it but the method does not."""
        allowed: set[str] = set()
        for route in self.routes():
            if isinstance(route, Mount):
                continue
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return None
            if match == Match.PARTIAL:
                allowed |= set(getattr(route, "methods", None) or ())
        return sorted(allowed) if allowed else None

    @staticmethod
    async def _reply(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        start, body = json_body(status, detail, headers)
        await send(start)
        await send(body)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 19 else None
    return None


# --- below the app: requests too broken for it to see --------------------------------------

HEAD_TIMEOUT_S = 10.0  # seconds from connection (or the last response) to a complete request head
HTTP_400 = {
    "ja": "HTTPリクエストの形式が不正です。",
    "en": "The HTTP request is malformed (request line, headers or body framing).",
}


def malformed_request_body(headers: list[tuple[bytes, bytes]] | None) -> bytes:
    """The JSON of a 400 the server itself sends: in the asker's language when it said which."""
    lang = next((v.decode("latin-1") for k, v in headers or () if k == b"accept-language"), "")
    first = lang.split(",")[0].strip().lower()
    if first.startswith("ja"):
        detail = HTTP_400["ja"]
    elif first.startswith("en"):
        detail = HTTP_400["en"]
    else:
        detail = f"{HTTP_400['ja']} / {HTTP_400['en']}"
    return json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")


def json_error_protocol(head_timeout: float = HEAD_TIMEOUT_S) -> type:
    """uvicorn's h11 protocol, answering the requests it cannot parse with JSON, not plain text,
    and closing a connection whose request head does not arrive within `head_timeout` seconds
    (uvicorn itself times out only idle keep-alive connections, so a client that sends half a
    request line and waits would hold its connection for ever)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class JsonErrorH11Protocol(H11Protocol):  # type: ignore[misc]
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_head_timer()

        def data_received(self, data: bytes) -> None:
            waiting = self.cycle is None or self.cycle.response_complete
            if waiting and self._head_timer is None:
                self._arm_head_timer()  # a new request on a kept-alive connection: its head is timed too
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm_head_timer()  # the head is in; the body is the guard's business

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_head_timer()
            super().connection_lost(exc)

        def _arm_head_timer(self) -> None:
            self._head_timer = self.loop.call_later(head_timeout, self._head_too_slow)

        def _disarm_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if self.cycle is None or self.cycle.response_complete:
                self.transport.close()

        def send_400_response(self, msg: str) -> None:
            body = malformed_request_body(getattr(self, "headers", None))
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ]
            try:
                self.transport.write(
                    self.conn.send(h11.Response(status_code=400, headers=headers, reason=b"Bad Request"))
                )
                self.transport.write(self.conn.send(h11.Data(data=body)))
                self.transport.write(self.conn.send(h11.EndOfMessage()))
            except h11.LocalProtocolError:  # the connection is past the point of answering
                pass
            self.transport.close()

    return JsonErrorH11Protocol


def server_options(head_timeout: float = HEAD_TIMEOUT_S) -> dict[str, Any]:
    """How uvicorn serves this app (also in the tests): JSON for broken requests, a deadline for
    a request's head, short keep-alive, a bound on concurrent connections and on head size."""
    return {
        "http": json_error_protocol(head_timeout),
        "timeout_keep_alive": 5,
        "limit_concurrency": 256,
        "h11_max_incomplete_event_size": 16 * 1024,
    }
