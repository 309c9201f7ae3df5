"""The HTTP surface: a thin FastAPI app over one AssistantService.

`create_app(service, settings)` builds everything; nothing runs at import. Routes only check
input, call the service and shape the JSON; domain errors become `{"detail": message}` with
the error's `http_status`, never a traceback. The Gradio UI is mounted at "/" when asked, and
the embeddable FAQ widget (/widget, /embed.js) is served from `assistant/static/`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from assistant.api_models import ask_route, history_index, is_blank, request_model
from assistant.errors import AssistantError, InputError
from assistant.http_guard import Guard
from assistant.records import Chart, Citation, Figure, Turn, clean_text
from assistant.service import AssistantService, chart_csv_bytes
from assistant.settings import Settings

log = logging.getLogger(__name__)

STATIC_DIR = Path(str(resources.files("assistant") / "static"))
DOCS_ASSETS = "/docs-assets"


def widget_csp(settings: Settings) -> str:
    """The widget runs only its own script and may be framed by the host sites in settings."""
    ancestors = " ".join(settings.frame_ancestors) or "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        f"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


# The chat UI (Gradio) is not meant to be framed by other sites; its scripts are its own business.
PAGE_CSP = "frame-ancestors 'self'; base-uri 'self'; object-src 'none'"


class AnswerOut(BaseModel):
    """The answer contract; citations and figures are the record types themselves."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation]
    figures: list[Figure]
    language: str
    elapsed_ms: float
    kind: str


class ChartSummary(BaseModel):
    id: str
    section: str
    title: str
    title_en: str
    base: str
    period: str
    unit: str
    multiple: bool


class ErrorOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad input"},
    404: {"model": ErrorOut, "description": "Unknown chart"},
    408: {"model": ErrorOut, "description": "The request body arrived too slowly"},
    413: {"model": ErrorOut, "description": "Request body too large"},
    422: {"model": ErrorOut, "description": "Malformed JSON, wrong types, or a field over its limit"},
    503: {"model": ErrorOut, "description": "Store missing or built by another embedder"},
}


def chart_summary(chart: Chart) -> ChartSummary:
    return ChartSummary(
        id=chart.id,
        section=chart.section,
        title=chart.title,
        title_en=chart.title_en,
        base=chart.base.label("ja"),
        period=chart.period,
        unit=chart.unit,
        multiple=chart.multiple,
    )


def check_request(req: Any) -> tuple[str, list[Turn]]:
    """The question and history turns of a validated request (limits are in its model)."""
    question = clean_text(req.question)
    if is_blank(question):
        raise InputError("質問が空です。 / The question is empty.")
    turns: list[Turn] = []
    for item in req.history:
        if isinstance(item, str):
            turns.append(Turn(question=clean_text(item)))
        else:
            charts = tuple(f.table for f in item.figures if f.table)
            turns.append(Turn(question=clean_text(item.question), answer=clean_text(item.answer), charts=charts))
    return question, turns


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    """A field over its limit or of the wrong type, or broken JSON -> 422 saying which; an empty
    question, too many turns, a turn without its question -> 400."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse({"detail": "リクエストのJSONが不正です。 / The request body is not valid JSON."}, 422)
    for e in errors:
        loc, kind = tuple(e.get("loc", ())), e.get("type", "")
        if kind == "string_unicode":  # "\ud800": no encoder takes a lone surrogate
            where = ".".join(str(x) for x in loc if x not in ("body", "str"))
            return JSONResponse(
                {"detail": f"文字コードが不正です（{where}） / {where}: not valid Unicode (a lone surrogate)."}, 400
            )
        if loc == ("body", "question") and kind == "string_too_long":
            limit = e.get("ctx", {}).get("max_length")
            return JSONResponse(
                {"detail": f"質問が長すぎます（上限{limit}文字）。 / The question is too long (limit {limit})."}, 422
            )
        if loc == ("body", "question") and kind in ("string_too_short", "string_pattern_mismatch"):
            return JSONResponse({"detail": "質問が空です。 / The question is empty."}, 400)
        if loc == ("body", "history") and kind == "too_long":
            limit = e.get("ctx", {}).get("max_length")
            return JSONResponse(
                {"detail": f"会話履歴が多すぎます（上限{limit}件）。 / Too many history turns (limit {limit})."}, 400
            )
    for e in errors:
        loc, kind = tuple(e.get("loc", ())), e.get("type", "")
        i = history_index(loc)
        if i is not None and kind == "string_too_long" and loc[-1] == "answer":
            return JSONResponse({"detail": f"history[{i}]: the answer text is too long."}, 422)
        if i is not None and kind in ("string_too_long", "string_too_short", "missing", "too_long"):
            return JSONResponse({"detail": f"history[{i}]: {e.get('msg', 'invalid')}"}, 400)
    parts = []
    for e in errors[:5]:
        where = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return JSONResponse({"detail": "リクエストの形式が不正です。 / Invalid request: " + "; ".join(parts)}, 422)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        if exc.http_status >= 500:
            log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        return JSONResponse({"detail": str(exc)}, status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_response(exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"detail": "内部エラーが発生しました。 / Internal error."}, status_code=500)


def _install_docs(app: FastAPI) -> None:
    """Swagger UI from locally installed assets; a plain self-contained page when there are none.

    FastAPI's default /docs pulls Swagger UI from a CDN, which this app must never do.
    The `fastapi-offline` package ships the Swagger UI 5 bundle; use it when installed.
    """
    from fastapi.openapi.docs import get_swagger_ui_html

    assets = _swagger_assets()
    if assets is not None:
        from fastapi.staticfiles import StaticFiles

        app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")

        @app.get("/docs", include_in_schema=False)
        async def swagger() -> HTMLResponse:
            return get_swagger_ui_html(
                openapi_url="openapi.json",
                title=f"{app.title} - API",
                swagger_js_url=f"{DOCS_ASSETS[1:]}/swagger-ui-bundle.js",
                swagger_css_url=f"{DOCS_ASSETS[1:]}/swagger-ui.css",
                swagger_favicon_url=f"{DOCS_ASSETS[1:]}/favicon.png",
                swagger_ui_parameters={"validatorUrl": None},
            )

        return

    @app.get("/docs", include_in_schema=False)
    async def plain_docs() -> HTMLResponse:
        from assistant.ui_format import openapi_html

        return HTMLResponse(openapi_html(app.openapi()))


def _swagger_assets() -> Path | None:
    try:
        spec = resources.files("fastapi_offline")
    except ModuleNotFoundError:
        return None
    path = Path(str(spec / "static"))
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def _static(name: str, media_type: str) -> FileResponse:
    return FileResponse(
        STATIC_DIR / name,
        media_type=media_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )


def _install_widget(app: FastAPI, settings: Settings) -> None:
    widget_html = (STATIC_DIR / "widget.html").read_text(encoding="utf-8")
    widget_html = widget_html.replace("{{MAX_CHARS}}", str(int(settings.max_question_chars)))
    widget_html = widget_html.replace("{{MAX_HISTORY}}", str(int(settings.max_history_turns)))

    @app.get("/widget", include_in_schema=False)
    async def widget() -> HTMLResponse:
        return HTMLResponse(
            widget_html,
            headers={"Content-Security-Policy": widget_csp(settings), "X-Content-Type-Options": "nosniff"},
        )

    @app.get("/widget.js", include_in_schema=False)
    async def widget_js() -> FileResponse:
        return _static("widget.js", "text/javascript; charset=utf-8")

    @app.get("/widget.css", include_in_schema=False)
    async def widget_css() -> FileResponse:
        return _static("widget.css", "text/css; charset=utf-8")

    @app.get("/embed.js", include_in_schema=False)
    async def embed_js() -> FileResponse:
        return _static("embed.js", "text/javascript; charset=utf-8")


def create_app(
    service: AssistantService, settings: Settings, *, ui: Callable[[AssistantService, Settings], Any] | None = None
) -> FastAPI:
    """The FastAPI app: JSON API, offline docs, FAQ widget, and the Gradio UI at "/" when a
    `ui` builder (ui.build_ui) is given. The package never imports the top-level ui.py itself."""
    app = FastAPI(
        title="伴走支援 Q&A",
        summary="出典つき質問応答 / Cited Q&A over 「中小企業と伴走支援」",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.state.settings = settings
    # the guard first, then CORS around it: a 413, 405 or 500 still carries the CORS headers
    app.add_middleware(
        Guard,
        max_body_bytes=settings.max_body_bytes,
        read_timeout=settings.read_timeout,
        routes=lambda: app.router.routes,
        page_headers={"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "SAMEORIGIN"},
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    _install_error_handlers(app)
    _install_docs(app)

    def answer(req: Any) -> dict[str, Any]:
        question, turns = check_request(req)
        return service.ask(question, turns).to_dict()

    app.add_api_route(
        "/api/ask",
        ask_route(request_model(settings), answer),
        methods=["POST"],
        response_model=AnswerOut,
        responses=ERRORS,
        tags=["qa"],
        summary="Ask",
    )

    @app.get("/api/stats", response_model=list[ChartSummary], tags=["stats"])
    def stats() -> list[ChartSummary]:
        """Every chart of the report: id, section, title, base, period, unit."""
        return [chart_summary(c) for c in service.charts()]

    # Declared before /api/stats/{chart_id}, which would otherwise match "2-3.csv".
    @app.get(
        "/api/stats/{chart_id}.csv",
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}, 404: ERRORS[404]},
        tags=["stats"],
    )
    def stats_csv(chart_id: str) -> Response:
        """One chart as CSV (UTF-8), its title, base and period in the last lines."""
        chart = service.chart(chart_id)
        return Response(
            chart_csv_bytes(chart),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="chart-{chart.id}.csv"'},
        )

    @app.get("/api/stats/{chart_id}", responses={404: ERRORS[404]}, tags=["stats"])
    def stats_one(chart_id: str) -> dict[str, Any]:
        """One chart with every row, column, derived figure and note."""
        return service.chart(chart_id).to_dict()

    @app.get("/healthz", tags=["ops"], responses={503: {"description": "A backend does not answer"}})
    def healthz() -> JSONResponse:
        """The store and its backends; 503 when one of them does not answer."""
        health = service.health()
        return JSONResponse(health, status_code=200 if health.get("status") == "ok" else 503)

    _install_widget(app, settings)

    if ui is not None:
        import gradio as gr

        blocks = ui(service, settings)
        # Routes above are matched first; Gradio takes everything else under "/".
        app = gr.mount_gradio_app(
            app,
            blocks,
            path="/",
            footer_links=["api", "settings"],
            run_history=False,
            ssr_mode=False,
            mcp_server=False,
            css=UI_CSS,
            js=UI_JS,
            i18n=ui_labels(),
            show_error=False,  # a raw Python error is never shown; the handlers say what went wrong
            max_file_size=1024,  # nothing here takes uploads
        )

    return app


# Gradio's own controls (like, dislike, clear, the footer) are labelled in the browser's language;
# the page's content is Japanese, so every locale gets Japanese labels for them.
UI_LOCALES = ("en", "ja", "ko", "zh-CN", "zh-TW", "fr", "de", "es", "pt-BR", "ru", "it")


def ui_labels() -> Any:
    import json

    import gradio as gr

    labels = json.loads((resources.files("assistant") / "data" / "gradio_labels_ja.json").read_text(encoding="utf-8"))
    return gr.I18n(**{locale: labels for locale in UI_LOCALES})


# The chat page's own script (Gradio runs it once on load):
# - the content is Japanese: say so to browsers and screen readers (Gradio writes lang="en");
# - each answer's copy button puts the answer's plain text (answer, then one line per source) on
#   the clipboard, from the button's data-copy attribute, and says so in the button and to
#   screen readers;
# - a [n] marker moves focus to its source.
UI_JS = """() => {
  document.documentElement.lang = 'ja';
  // a few of Gradio's controls carry fixed English names: name them in the page's language
  const names = {
    'More tabs': 'ほかのタブ', 'Copy': 'コピー', 'Copied': 'コピーしました', 'Clear': '会話をクリア', 'Like': 'いいね', 'Dislike': 'よくないね',
    'Liked': 'いいね済み（もう一度押すと取り消し）', 'Disliked': 'よくないね済み（もう一度押すと取り消し）',
  };
  const english = Object.keys(names).map((n) => `[aria-label="${n}"]`).join(',');
  const rename = () => {  // only the few English-named controls are visited, not every node
    for (const el of document.querySelectorAll(english)) {
      el.setAttribute('aria-label', names[el.getAttribute('aria-label')]);
    }
  };
  rename();
  new MutationObserver(rename).observe(document.body, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'],
  });
  const say = (button, text) => {
    const label = button.textContent;
    button.textContent = text;
    setTimeout(() => { button.textContent = label; }, 2000);
  };
  const fallbackCopy = (text) => {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    try { document.execCommand('copy'); } finally { area.remove(); }
  };
  document.addEventListener('click', async (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const copy = target && target.closest('button.copy-plain');
    if (copy) {
      const text = copy.getAttribute('data-copy') || '';
      try { await navigator.clipboard.writeText(text); } catch (e) { fallbackCopy(text); }
      say(copy, copy.getAttribute('data-done') || 'OK');
      return;
    }
    const cite = target && target.closest('a.cite');
    if (cite) {
      const id = (cite.getAttribute('href') || '').slice(1);
      const source = id && document.getElementById(id);
      if (source) {
        event.preventDefault();
        source.scrollIntoView({ block: 'nearest' });
        source.focus({ preventScroll: true });
      }
    }
  });
}"""

UI_CSS = """
.answer p { margin: 0 0 .5em; }
.answer .formula, .answer .abstained { color: var(--body-text-color); font-size: .95em; }
.answer a.cite { font-weight: 600; text-decoration: underline; }
.answer .sources { margin-top: .6em; font-size: .92em; }
.answer .sources-head { font-weight: 700; margin: 0 0 .2em; }
.answer .sources ul { list-style: none; padding: 0; margin: 0; }
.answer .sources li { margin: .35em 0; padding: .1em .3em; border-radius: 4px; }
.answer .sources li:target, .answer .sources li:focus { outline: 2px solid #1d4ed8; }
.answer .src-meta { color: var(--body-text-color); }
.answer .src-kind { display: inline-block; font-size: .85em; font-weight: 700; border: 1px solid currentColor;
  border-radius: 3px; padding: 0 .3em; margin-right: .3em; }
figure.bars { margin: .6em 0; max-width: 640px; }
figure.bars figcaption { font-weight: 700; margin-bottom: .3em; font-size: .95em; }
.bar-row { display: grid; grid-template-columns: minmax(7em, 38%) 1fr 4.8em; gap: .5em; align-items: center;
  margin: .2em 0; font-size: .9em; }
.bar-label { overflow-wrap: anywhere; line-height: 1.25; }
.bar-label .ja { display: block; font-size: .85em; }
.bar-track { display: block; background: #e5e7eb; height: .9em; border-radius: 2px; }
.bar { display: block; height: 100%; background: #6b7280; border-radius: 2px; }
.bar-row.hit .bar { background: #b45309; }
.bar-row.hit .bar-label, .bar-row.hit .bar-value { font-weight: 700; }
.bar-value { font-variant-numeric: tabular-nums; white-space: nowrap; }
.bars-note { font-size: .85em; margin: .3em 0 0; }
.answer button.copy-plain { margin-top: .5em; font-size: .85em; padding: .2em .7em; border: 1px solid #4b5563;
  border-radius: 4px; background: #fff; color: #111827; cursor: pointer; }
footer, footer a, footer button, footer .show-api, footer .settings { color: #374151 !important; }
#send, #send:hover { background: #c2410c; border-color: #c2410c; color: #fff; }
.stats-table table { width: 100%; border-collapse: collapse; font-size: .92em; }
.stats-table caption { text-align: left; font-weight: 700; padding: .3em 0; }
.stats-table th, .stats-table td { border-bottom: 1px solid #d1d5db; padding: .3em .5em; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
.stats-table thead th { border-bottom: 2px solid #4b5563; }
.stats-table td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.stats-table tbody th { font-weight: 400; }
.stats-table button.copy-plain { margin-top: .5em; font-size: .85em; padding: .2em .7em; border: 1px solid #4b5563;
  border-radius: 4px; background: #fff; color: #111827; cursor: pointer; }
@media (max-width: 640px) {  /* a phone: the page scrolls, the chat is not a box inside it */
  #chatbot { height: auto !important; max-height: none !important; overflow: visible !important; }
  #chatbot .bubble-wrap { height: auto !important; max-height: none !important; overflow: visible !important; }
  .bar-row { grid-template-columns: minmax(6em, 42%) 1fr 4.2em; }
}
.stats-chart { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 1.5em; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
"""
