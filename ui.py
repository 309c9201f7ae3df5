"""The Gradio UI (chat, statistics, about) over one AssistantService, and the server entry point.

`build_ui(service, settings)` lays out the tabs and wires handlers that call the service; all
formatting lives in `assistant.ui_format`. `main()` builds the real service and serves the
FastAPI app (API + widget + this UI) with uvicorn on 127.0.0.1:$PORT.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import ui_format as fmt
from assistant.answer_view import answer_html
from assistant.errors import AssistantError, ConfigError
from assistant.feedback import REASONS, FeedbackLog, feedback_record, like_vote, reason_key, session_key
from assistant.qa.colloquial import detect_language
from assistant.records import Answer, Chart, clean_text
from assistant.service import AssistantService, chart_csv_bytes
from assistant.settings import Settings
from assistant.stats_view import chart_html, table_html

log = logging.getLogger(__name__)

EXAMPLES = [
    "伴走支援を受けている企業の割合は？",
    "なぜ企業は伴走支援を使わないのか？",
    "伴走支援を最も活用している年齢層は？",
    "Why do firms not use 伴走支援?",
]


MAX_SHOWN_TURNS = 100  # a session's chat keeps its latest turns (each request rebuilds at most this many)

# one turn of a session's chat: the question, the answer served (None after an error) and its view
Entry = dict[str, Any]


def too_long_message(question: str, limit: int) -> str:
    """How long a question may be, in the language the question is written in."""
    if detect_language(question) == "en":
        return f"The question is too long: {len(question)} characters, the limit is {limit}. Please shorten it."
    return f"質問が長すぎます（{len(question)}文字、上限{limit}文字）。短くしてからもう一度送ってください。"


def message_turn(index: Any) -> int | None:
    """The turn of a liked message: messages alternate user, assistant; anything else is None."""
    if isinstance(index, (list, tuple)) and index:
        index = index[0]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 10_000:
        return None
    return index // 2


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


def build_ui(service: AssistantService, settings: Settings) -> gr.Blocks:
    """The three tabs, wired to `service`. Nothing is read or written until a request comes."""
    doc = service.document
    charts = service.charts()
    feedback = FeedbackLog(settings.feedback)
    csv_files = CsvFiles(settings.cache / "csv")

    def chart_of(chart_id: str) -> Chart | None:
        try:
            return service.chart(chart_id)
        except AssistantError:
            log.warning("answer cites unknown chart %r", chart_id)
            return None

    def answer_view(answer: Answer, k: int) -> str:
        """The answer's message: its text with linked markers, its own chart, its sources."""
        picked = fmt.answered_chart(answer)
        chart = chart_of(picked[0]) if picked else None
        drawn = (chart, picked[1], picked[2]) if chart is not None and picked else None
        return answer_html(answer, doc, chart_of, f"a{k}", drawn)

    def shown(turns: list[Entry]) -> list[dict[str, Any]]:
        """The chat as Gradio shows it, rebuilt from the session's own state (never from the client)."""
        out: list[dict[str, Any]] = []
        for t in turns:
            out.append({"role": "user", "content": fmt.user_markdown(t["question"])})
            view = t["view"]
            content = gr.HTML(view, container=False, padding=False) if t["html"] else view
            out.append({"role": "assistant", "content": content})
        return out

    def prior(turns: list[Entry]) -> list[dict[str, Any]]:
        return [t["answer"] for t in turns if t["answer"]][-settings.max_history_turns :]

    def respond(message: str, turns: list[Entry]) -> Iterator[tuple[Any, ...]]:
        question = clean_text(message if isinstance(message, str) else "").strip()  # the payload is the client's
        turns = [t for t in turns if isinstance(t, dict)][-MAX_SHOWN_TURNS + 1 :] if isinstance(turns, list) else []
        if not question:
            gr.Warning("質問を入力してください。", title="ご注意")
            yield gr.skip(), gr.skip(), gr.skip()
            return
        if len(question) > settings.max_question_chars:  # said, in the asker's language; the text stays
            en = detect_language(question) == "en"
            gr.Warning(too_long_message(question, settings.max_question_chars), title="Note" if en else "ご注意")
            yield gr.skip(), gr.skip(), gr.skip()
            return
        k = len(turns)
        entry: Entry = {"question": question, "answer": None, "view": "…", "html": False}
        yield "", shown([*turns, entry]), gr.skip()
        answer: Answer | None = None
        view, error = "", "回答を作成できませんでした。"
        try:
            for answer in service.stream(question, prior(turns)):
                view = answer_view(answer, k)
                yield gr.skip(), shown([*turns, {**entry, "view": view, "html": True}]), gr.skip()
        except AssistantError as e:
            answer, error = None, str(e)
        except Exception:  # never a raw Python error in the chat: log it, say it in one line
            log.exception("answering failed")
            answer, error = None, "内部エラーが発生しました。もう一度お試しください。"
        if answer is None:
            entry = {**entry, "view": fmt.error_markdown(error)}
        else:
            entry = {**entry, "answer": answer.to_dict(), "view": view, "html": True}
        turns = [*turns, entry]
        # the chat already shows this view: drawing it again would replace the nodes a reader may
        # be using (a clicked [n] loses its focus), so only the state is stored
        yield gr.skip(), gr.skip() if answer is not None else shown(turns), turns

    def on_like(turns: list[Entry], data: gr.LikeData, request: gr.Request) -> tuple[Any, ...]:
        """Only what the server knows is stored: the answer it served (from the session's own state)
        and the vote. Clicking a thumb again withdraws the vote; 👎 then asks for an optional reason."""
        vote = like_vote(data.liked)
        k = message_turn(data.index)
        if vote is None or k is None or not isinstance(turns, list) or k >= len(turns) or not turns[k]["answer"]:
            return gr.skip(), gr.skip(), gr.skip()
        session = session_key(getattr(request, "session_hash", ""))
        feedback.append(feedback_record(turns[k]["answer"], vote, datetime.now(UTC), session=session, turn=k))
        if vote == "dislike":
            return gr.update(visible=True), gr.update(value=None), k
        return gr.update(visible=False), gr.skip(), None

    def on_reason(turns: list[Entry], k: Any, choice: Any, request: gr.Request) -> tuple[Any, ...]:
        """The reason corrects the 👎 it was asked for; a choice not offered is ignored."""
        reason = reason_key(choice)
        ok = isinstance(k, int) and isinstance(turns, list) and 0 <= k < len(turns) and turns[k]["answer"]
        if reason is None or not ok:
            return gr.update(visible=False), None
        session = session_key(getattr(request, "session_hash", ""))
        feedback.append(
            feedback_record(turns[k]["answer"], "dislike", datetime.now(UTC), session=session, turn=k, reason=reason)
        )
        gr.Info("ご意見ありがとうございました。", title="送信しました")
        return gr.update(visible=False), None

    def clear() -> tuple[Any, ...]:
        return [], [], "", gr.update(visible=False), None

    def show_chart(chart_id: str) -> tuple[Any, ...]:
        try:
            chart = service.chart(chart_id)
        except AssistantError as e:
            raise gr.Error(str(e)) from None
        return (
            fmt.chart_caption(chart),
            table_html(chart),
            chart_html(chart),
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
                turns = gr.State([])  # the session's own record of the chat: the client never sends it
                reason_for = gr.State(None)  # the turn whose 👎 is waiting for a reason
                chatbot = gr.Chatbot(
                    label="会話",
                    elem_id="chatbot",
                    height="min(520px, 62vh)",
                    sanitize_html=True,
                    allow_tags=False,
                    latex_delimiters=[],
                    buttons=[],  # each answer carries its own plain-text copy button
                    feedback_options=("Like", "Dislike"),
                    placeholder="レポートについて日本語または英語で質問してください。",
                )
                with gr.Row(visible=False, elem_id="dislike-reason") as reason_row:
                    reason = gr.Radio(
                        choices=list(REASONS.values()),
                        label="よろしければ、よくなかった理由を教えてください（任意）",
                        elem_id="dislike-reason-choice",
                        scale=5,
                    )
                    reason_close = gr.Button("閉じる", size="sm", scale=1, elem_id="dislike-reason-close")
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
                table = gr.HTML(elem_id="chart-table", label="数値")
                stats_plot = gr.HTML(elem_id="chart-plot", label="グラフ")
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

        chat_io = dict(fn=respond, inputs=[box, turns], outputs=[box, chatbot, turns], api_visibility="private")
        box.submit(**chat_io)  # type: ignore[arg-type]
        send.click(**chat_io)  # type: ignore[arg-type]
        chatbot.like(on_like, inputs=[turns], outputs=[reason_row, reason, reason_for], api_visibility="private")
        reason.input(
            on_reason, inputs=[turns, reason_for, reason], outputs=[reason_row, reason_for], api_visibility="private"
        )
        reason_close.click(
            lambda: (gr.update(visible=False), None), outputs=[reason_row, reason_for], api_visibility="private"
        )
        cleared = [chatbot, turns, box, reason_row, reason_for]
        reset.click(clear, outputs=cleared, api_visibility="private")
        chatbot.clear(clear, outputs=cleared, api_visibility="private")
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
        service = build_service(settings, warm=True)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(e.exit_code) from None
    uvicorn.run(create_app(service, settings, ui=build_ui), host="127.0.0.1", port=settings.port, **server_options())


if __name__ == "__main__":
    main()
