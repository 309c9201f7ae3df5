"""The Gradio UI (chat, statistics, about) over one AssistantService, and the server entry point.

`build_ui(service, settings)` lays out the tabs and wires handlers that call the service; all
formatting lives in `assistant.ui_format`. `main()` builds the real service and serves the
FastAPI app (API + widget + this UI) with uvicorn on 127.0.0.1:$PORT.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import ui_format as fmt
from assistant.errors import AssistantError, ConfigError
from assistant.qa.colloquial import detect_language
from assistant.records import Answer, Chart, clean_text
from assistant.service import AssistantService, chart_csv_bytes
from assistant.settings import Settings

log = logging.getLogger(__name__)

EXAMPLES = [
    "伴走支援を受けている企業の割合は？",
    "なぜ企業は伴走支援を使わないのか？",
    "伴走支援を最も活用している年齢層は？",
    "Why do firms not use 伴走支援?",
]


MAX_CHAT_MESSAGE_CHARS = 20_000


def too_long_message(question: str, limit: int) -> str:
    """How long a question may be, in the language the question is written in."""
    if detect_language(question) == "en":
        return f"The question is too long: {len(question)} characters, the limit is {limit}. Please shorten it."
    return f"質問が長すぎます（{len(question)}文字、上限{limit}文字）。短くしてからもう一度送ってください。"


def like_vote(liked: Any) -> str | None:
    """The vote as an enum: Gradio sends True/False, or "like"/"dislike" from custom buttons."""
    if liked is True or liked in ("like", "Like"):
        return "like"
    if liked is False or liked in ("dislike", "Dislike"):
        return "dislike"
    return None


def message_turn(index: Any) -> int | None:
    """The turn of a liked message: messages alternate user, assistant; anything else is None."""
    if isinstance(index, (list, tuple)) and index:
        index = index[0]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 10_000:
        return None
    return index // 2


def bounded_chat(chat: Any, max_turns: int) -> list[dict[str, Any]]:
    """The chat history the client sent back, as plain bounded messages (the latest ones)."""
    if not isinstance(chat, list):
        return []
    out: list[dict[str, Any]] = []
    for m in chat[-2 * (max_turns + 1) :]:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        text = _message_text(m.get("content"))
        if text is not None and len(text) <= MAX_CHAT_MESSAGE_CHARS:
            out.append({"role": m["role"], "content": text})
    return out


def _message_text(content: Any) -> str | None:
    """A message's text: Gradio 6 sends [{"type": "text", "text": …}], older clients a string."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and len(content) <= 20:
        parts = [c.get("text") for c in content if isinstance(c, dict) and c.get("type") == "text"]
        texts = [p for p in parts if isinstance(p, str)]
        if texts and len(texts) == len(parts):
            return "".join(texts)
    return None


class FeedbackLog:
    """Appends chat feedback as JSON lines; creates the parent folder on first write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")


class CsvFiles:
    """One CSV per chart in a cache folder, written atomically and replaced on each request.

    Nothing is temporary, so nothing leaks when the server is killed: the folder holds at most
    one file per chart. Gradio copies the returned file into its own cache (pruned hourly).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, chart: Chart) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"chart-{chart.id}.csv"
        tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
        # UTF-8 with BOM so that Excel opens the Japanese labels correctly.
        tmp.write_bytes(chart_csv_bytes(chart))  # the same bytes as the API's CSV
        os.replace(tmp, path)
        return str(path)


def _hidden_plot() -> Any:
    return gr.BarPlot(value=None, visible=False)


def axis_top(highest: Any) -> float:
    """A round axis end above the tallest value: 162 -> 180, 53.1 -> 60, 9.8 -> 10."""
    try:
        v = float(highest)
    except (TypeError, ValueError):
        return 1.0
    if not v > 0:
        return 1.0
    step = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12):
        if m * step >= v * 1.05:
            return float(m * step)
    return float(15 * step)


def _bar_plot(frame: Any, chart: Chart, *, color: str | None, title: str, y_title: str, **kw: Any) -> Any:
    return gr.BarPlot(
        value=frame,
        x="項目",
        y="値",
        color=color,
        title=title,
        x_title=chart.row_axis or "項目",
        y_title=y_title,
        sort=list(dict.fromkeys(frame["項目"].tolist())),
        x_label_angle=-35,
        y_lim=[0, axis_top(frame["値"].max())],  # the axis covers the tallest bar (162, not 150)
        visible=True,
        **kw,
    )


def build_ui(service: AssistantService, settings: Settings) -> gr.Blocks:
    """The three tabs, wired to `service`. Nothing is read or written until a request comes."""
    doc = service.document
    charts = service.charts()
    feedback = FeedbackLog(settings.feedback)
    csv_files = CsvFiles(settings.cache / "csv")

    def prior(turns: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
        return [t for t in turns if t][-settings.max_history_turns :]

    def answer_plot(answer: Answer) -> Any:
        picked = fmt.answered_chart(answer)
        if picked is None:
            return _hidden_plot()
        chart_id, column, labels = picked
        try:
            chart = service.chart(chart_id)
        except AssistantError:
            log.warning("answer cites unknown chart %r", chart_id)
            return _hidden_plot()
        frame = fmt.chart_frame(chart, labels, column)
        return _bar_plot(
            frame,
            chart,
            color="区分",
            color_map=fmt.COLOR_MAP,
            title=f"{chart.section} {chart.title}（{chart.base.label()}）",
            y_title=fmt.value_title(chart, column),
        )

    def respond(
        message: str, chat: list[dict[str, Any]], turns: list[dict[str, Any] | None]
    ) -> Iterator[tuple[Any, ...]]:
        question = clean_text(message if isinstance(message, str) else "").strip()  # the payload is the client's
        chat = bounded_chat(chat, settings.max_history_turns)
        turns = [t for t in turns if t is None or isinstance(t, dict)] if isinstance(turns, list) else []
        if not question:
            gr.Warning("質問を入力してください。", title="ご注意")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        if len(question) > settings.max_question_chars:  # said, in the asker's language; the text stays
            en = detect_language(question) == "en"
            gr.Warning(too_long_message(question, settings.max_question_chars), title="Note" if en else "ご注意")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        chat = [*chat, {"role": "user", "content": fmt.user_markdown(question)}, {"role": "assistant", "content": "…"}]
        yield "", chat, turns, gr.skip()
        answer: Answer | None = None
        try:
            for answer in service.stream(question, prior(turns)):
                chat[-1] = {"role": "assistant", "content": fmt.answer_markdown(answer)}
                yield gr.skip(), chat, gr.skip(), gr.skip()
        except AssistantError as e:
            chat[-1] = {"role": "assistant", "content": fmt.error_markdown(str(e))}
            yield gr.skip(), chat, [*turns, None], _hidden_plot()
            return
        except Exception:  # never a raw Python error in the chat: log it, say it in one line
            log.exception("answering failed")
            chat[-1] = {
                "role": "assistant",
                "content": fmt.error_markdown("内部エラーが発生しました。もう一度お試しください。"),
            }
            yield gr.skip(), chat, [*turns, None], _hidden_plot()
            return
        if answer is None:
            chat[-1] = {"role": "assistant", "content": fmt.error_markdown("回答を作成できませんでした。")}
            yield gr.skip(), chat, [*turns, None], _hidden_plot()
            return
        yield gr.skip(), chat, [*turns, answer.to_dict()], answer_plot(answer)

    def on_like(turns: list[dict[str, Any] | None], data: gr.LikeData) -> None:
        """Only what the server knows is stored: the answer it served (from the session's own
        state) and the vote as like/dislike. The client's index and value are checked, never kept."""
        vote = like_vote(data.liked)
        k = message_turn(data.index)
        if vote is None or k is None or not isinstance(turns, list) or k >= len(turns):
            return
        answer = turns[k]
        if not isinstance(answer, dict):  # an error message, not an answer
            return
        feedback.append(fmt.feedback_record(answer, vote, datetime.now(UTC)))

    def clear() -> tuple[Any, ...]:
        return [], [], _hidden_plot(), ""

    def show_chart(chart_id: str) -> tuple[Any, ...]:
        try:
            chart = service.chart(chart_id)
        except AssistantError as e:
            raise gr.Error(str(e)) from None
        frame = fmt.chart_long_frame(chart)
        plot = _bar_plot(
            frame,
            chart,
            color="系列" if chart.is_crosstab else None,
            title=f"{chart.section} {chart.title}",
            y_title=chart.unit,
        )
        return (
            fmt.chart_caption(chart),
            fmt.chart_table(chart),
            plot,
            csv_files.write(chart),
            fmt.citation_line(doc, chart),
        )

    def ask_api(question: str, history: list[str] | None = None) -> dict[str, Any]:
        """Answer one question with numbered citations (the same JSON as POST /api/ask)."""
        try:
            if len(question or "") > settings.max_question_chars:
                raise AssistantError(f"質問が長すぎます（上限{settings.max_question_chars}文字）。")
            return service.ask(question, list(history or [])[-settings.max_history_turns :]).to_dict()
        except AssistantError as e:
            raise gr.Error(str(e)) from None

    with gr.Blocks(title="伴走支援 Q&A", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown(
            f"# 伴走支援 Q&A\n{fmt.escape_md(doc.publisher)}『{fmt.escape_md(doc.title)}』"
            f"（調査期間 {fmt.escape_md(doc.period_label)}、n={doc.respondents}）に基づき、出典つきで回答します。"
        )
        with gr.Tabs():
            with gr.Tab("チャット", id="chat", elem_id="tab-chat"):
                turns = gr.State([])
                chatbot = gr.Chatbot(
                    label="会話",
                    elem_id="chatbot",
                    height=460,
                    sanitize_html=True,
                    allow_tags=False,
                    latex_delimiters=[],
                    buttons=["copy"],
                    feedback_options=("Like", "Dislike"),
                    placeholder="レポートについて日本語または英語で質問してください。",
                )
                plot = gr.BarPlot(visible=False, label="回答に使った図表", elem_id="answer-chart")
                with gr.Row():
                    box = gr.Textbox(
                        show_label=False,
                        placeholder="例：伴走支援を受けていない理由は？",
                        scale=5,
                        elem_id="question",  # no max_length: a pasted question is never cut silently
                        autofocus=True,
                    )
                    send = gr.Button("送信", variant="primary", scale=1, elem_id="send")
                gr.Examples(EXAMPLES, inputs=box, label="質問例")
                reset = gr.Button("会話をクリア", size="sm", elem_id="clear")
            with gr.Tab("統計", id="stats", elem_id="tab-stats"):
                gr.Markdown("図表ごとの数値・ベース・調査期間（支援担当者向け）。CSVと出典表記をそのまま使えます。")
                choices = fmt.chart_choices(charts)
                pick = gr.Dropdown(
                    choices=choices, value=choices[0][1] if choices else None, label="図表", elem_id="chart-pick"
                )
                caption = gr.Markdown(elem_id="chart-caption")
                table = gr.Dataframe(interactive=False, label="数値", elem_id="chart-table", wrap=True)
                stats_plot = gr.BarPlot(label="グラフ", elem_id="chart-plot")
                with gr.Row():
                    download = gr.DownloadButton("CSVをダウンロード", elem_id="csv-download", scale=1)
                    cite = gr.Textbox(
                        label="出典表記（コピーして図表の下に貼り付け）",
                        buttons=["copy"],
                        interactive=False,
                        elem_id="citation-line",
                        scale=4,
                    )
            with gr.Tab("このアプリについて", id="about", elem_id="tab-about"):
                gr.Markdown(fmt.about_markdown(doc))

        chat_io = dict(
            fn=respond, inputs=[box, chatbot, turns], outputs=[box, chatbot, turns, plot], api_visibility="private"
        )
        box.submit(**chat_io)  # type: ignore[arg-type]
        send.click(**chat_io)  # type: ignore[arg-type]
        chatbot.like(on_like, inputs=[turns], outputs=None, api_visibility="private")
        reset.click(clear, outputs=[chatbot, turns, plot, box], api_visibility="private")
        chatbot.clear(clear, outputs=[chatbot, turns, plot, box], api_visibility="private")
        stats_out = [caption, table, stats_plot, download, cite]
        pick.change(show_chart, inputs=pick, outputs=stats_out, api_name="chart")
        demo.load(show_chart, inputs=pick, outputs=stats_out, api_visibility="private")
        gr.api(ask_api, api_name="ask")

    # Up to `concurrency` events run at once. Reads on the service are thread-safe, the machine
    # has 2 cores, and the engine pins its embedder to one thread per call, so a few parallel
    # requests overlap I/O and the lexical stages without oversubscribing the CPU; more would
    # only queue inside the engine. Gradio's own default (1) would serialize every user.
    demo.queue(default_concurrency_limit=settings.concurrency)
    return demo


def main() -> None:
    """Serve API + widget + UI for the real service on 127.0.0.1:$PORT (default 7860)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    import uvicorn

    from assistant.api import create_app
    from assistant.http_guard import server_options
    from assistant.service import build_service
    from assistant.settings import load_settings

    try:
        port = os.environ.get("PORT", "").strip()
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            raise ConfigError(f"PORT={port!r} is not a TCP port number (1-65535)")
        settings = load_settings(port=int(port) if port else None)
        service = build_service(settings)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(e.exit_code) from None
    uvicorn.run(create_app(service, settings, ui=build_ui), host="127.0.0.1", port=settings.port, **server_options())


if __name__ == "__main__":
    main()
