"""The HTTP API over a fake service: every route, every bad input, error mapping, widget, docs."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant import api as api_module
from assistant.api import create_app
from assistant.errors import StoreMissing
from assistant.settings import Settings
from tests.fakes import FakeService
from ui import build_ui

XSS = "<img src=x onerror=alert(1)>"
QUESTION = "伴走支援を受けていない理由は？"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        max_question_chars=50, max_history_turns=2, feedback=tmp_path_factory.mktemp("fb") / "feedback.jsonl"
    )


@pytest.fixture(scope="module")
def service() -> FakeService:
    return FakeService()


@pytest.fixture(scope="module")
def client(service: FakeService, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(service, settings)) as c:
        yield c


def _post(client: TestClient, body: Any) -> Any:
    if isinstance(body, str):
        return client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    return client.post("/api/ask", json=body)


# --- /api/ask -----------------------------------------------------------------------------------


def test_ask_returns_the_answer_contract(client: TestClient) -> None:
    r = _post(client, {"question": QUESTION})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"question", "answer", "abstained", "citations", "figures", "language", "elapsed_ms", "kind"}
    assert body["question"] == QUESTION
    assert "162" in body["answer"] and "[1]" in body["answer"]
    assert body["citations"][0] | {"n": 1, "section": "2-3", "chart": "2-3"} == body["citations"][0]
    assert body["figures"][0]["value"] == 162 and body["figures"][0]["cite"] == 1


def test_ask_passes_history_turns(client: TestClient, service: FakeService) -> None:
    first = _post(client, {"question": QUESTION}).json()
    r = _post(client, {"question": "その次は？", "history": ["前の質問", first]})
    assert r.status_code == 200
    question, turns = service.calls[-1]
    assert question == "その次は？"
    assert [t.question for t in turns] == ["前の質問", QUESTION]
    assert turns[1].charts == ("2-3",)


def test_ask_echoes_markup_as_data(client: TestClient) -> None:
    r = _post(client, {"question": XSS})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["question"] == XSS


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"question": ""}, 400, "empty"),
        ({"question": "   \n\t "}, 400, "empty"),
        ({"question": "あ" * 51}, 422, "too long"),
        ({"question": "q", "history": ["a", "b", "c"]}, 400, "Too many history turns"),
        ({"question": "q", "history": [{"answer": "no question"}]}, 400, "history[0]"),
        ({"question": "q", "history": ["あ" * 51]}, 400, "history[0]"),
        ("{not json", 422, "not valid JSON"),
        ("", 422, "Invalid request"),
        ({"question": 123}, 422, "question"),
        ({"question": None}, 422, "question"),
        ({"question": ["a"]}, 422, "question"),
        ({"history": []}, 422, "question"),
        ({"question": "q", "history": "not a list"}, 422, "history"),
        ({"question": "q", "history": [1]}, 422, "history"),
        ([QUESTION], 422, "Invalid request"),
    ],
)
def test_ask_rejects_bad_input(client: TestClient, body: Any, status: int, needle: str) -> None:
    r = _post(client, body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and needle in detail
    assert "Traceback" not in r.text


# --- /api/stats -----------------------------------------------------------------------------------


def test_stats_lists_every_chart(client: TestClient, service: FakeService) -> None:
    r = client.get("/api/stats")
    assert r.status_code == 200
    rows = r.json()
    assert [x["id"] for x in rows] == [c.id for c in service.charts()]
    by_id = {x["id"]: x for x in rows}
    assert by_id["2-3"] == {
        "id": "2-3",
        "section": "2-3",
        "title": "伴走支援を受けていない理由",
        "title_en": "Reasons for not using hands-on support",
        "base": "回答企業数347、回答総数576",
        "period": "2023年8月21日～9月15日",
        "unit": "件",
        "multiple": True,
    }
    assert by_id["1-1"]["base"] == "n=552" and by_id["1-1"]["multiple"] is False


def test_stats_one_chart_is_the_full_record(client: TestClient, service: FakeService) -> None:
    r = client.get("/api/stats/1-2-age")
    assert r.status_code == 200
    assert r.json() == json.loads(json.dumps(service.chart("1-2-age").to_dict()))


def test_stats_csv(client: TestClient) -> None:
    r = client.get("/api/stats/2-3.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="chart-2-3.csv"'
    assert r.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Japanese Windows reads it as UTF-8
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["chart", "label", "label_en"]
    assert rows[1][:4] == ["2-3", "必要性を感じないから", "they see no need", "162"]
    col = next(i for i, h in enumerate(rows[0]) if h.startswith("share_of_companies_% (computed"))
    assert rows[1][col] == "46.7"  # 162 / 347, and the header says it is computed
    tail = {row[0]: row[1] for row in rows if len(row) == 2}
    assert tail["title"] == "伴走支援を受けていない理由"
    assert tail["base"] == "回答企業数347、回答総数576"
    assert tail["period"] == "2023年8月21日～9月15日"
    assert tail["multiple_answers"] == "yes"


def test_stats_csv_crosstab_has_a_column_per_series(client: TestClient) -> None:
    rows = list(csv.reader(io.StringIO(client.get("/api/stats/1-2-age.csv").text)))
    assert "n" in rows[0] and any(h.startswith("受けている") for h in rows[0])
    assert rows[1][:4] == ["1-2-age", "35～39歳", "aged 35-39", "41"]


@pytest.mark.parametrize("path", ["/api/stats/no-such-chart", "/api/stats/no-such-chart.csv", "/api/stats/%3Cimg%3E"])
def test_unknown_chart_is_404_json(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert "unknown chart" in r.json()["detail"]


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


# --- error mapping, CORS ------------------------------------------------------------------------------


class _Broken(FakeService):
    def ask(self, question: str, history: Any = ()) -> Any:
        if question == "boom":
            raise RuntimeError("secret internals")
        raise StoreMissing("インデックスがありません。make ingest を実行してください。")

    def health(self) -> dict[str, Any]:
        raise StoreMissing("インデックスがありません。")


def test_domain_errors_map_to_their_status(settings: Settings) -> None:
    with TestClient(create_app(_Broken(), settings), raise_server_exceptions=False) as c:
        r = _post(c, {"question": "q"})
        assert r.status_code == 503
        assert r.json() == {"detail": "インデックスがありません。make ingest を実行してください。"}
        assert c.get("/healthz").status_code == 503
        r = _post(c, {"question": "boom"})
        assert r.status_code == 500
        assert "secret" not in r.text and "Traceback" not in r.text
        assert r.json()["detail"]


def test_cors_only_when_configured(service: FakeService, settings: Settings) -> None:
    preflight = {"Origin": "http://shop.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(service, settings)) as c:
        assert "access-control-allow-origin" not in c.options("/api/ask", headers=preflight).headers
    allowed = settings.with_(cors_origins=("http://shop.example",))
    with TestClient(create_app(service, allowed)) as c:
        r = c.options("/api/ask", headers=preflight)
        assert r.headers["access-control-allow-origin"] == "http://shop.example"
        r = c.options("/api/ask", headers={**preflight, "Origin": "http://other.example"})
        assert "access-control-allow-origin" not in r.headers


# --- docs -------------------------------------------------------------------------------------------


def _external_urls(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?(https?:|//)""", page)


def test_openapi_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/stats", "/api/stats/{chart_id}", "/api/stats/{chart_id}.csv", "/healthz"} <= set(
        spec["paths"]
    )
    r = client.get("/docs")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert _external_urls(r.text) == []
    assert "cdn" not in r.text.lower()
    if api_module._swagger_assets() is not None:  # Swagger UI served from the installed package
        assert "docs-assets/swagger-ui-bundle.js" in r.text
        assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
        assert client.get("/docs-assets/swagger-ui.css").status_code == 200


def test_docs_fallback_page_without_swagger_assets(
    monkeypatch: pytest.MonkeyPatch, service: FakeService, settings: Settings
) -> None:
    monkeypatch.setattr(api_module, "_swagger_assets", lambda: None)
    with TestClient(create_app(service, settings)) as c:
        r = c.get("/docs")
    assert r.status_code == 200
    assert "/api/ask" in r.text and "AskRequest" in r.text
    assert "<script" not in r.text and _external_urls(r.text) == []


# --- widget -------------------------------------------------------------------------------------------


def test_widget_page(client: TestClient, settings: Settings) -> None:
    r = client.get("/widget")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert '<script src="widget.js"></script>' in r.text
    assert re.search(r"<script>(?!</script>)", r.text) is None  # no inline script
    assert f'data-max-chars="{settings.max_question_chars}"' in r.text  # checked with a message, never cut
    assert "maxlength" not in r.text
    assert f'data-max-history="{settings.max_history_turns}"' in r.text
    assert "{{" not in r.text
    assert _external_urls(r.text) == []
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")


def test_widget_js_inserts_text_only(client: TestClient) -> None:
    r = client.get("/widget.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    js = r.text
    assert "textContent" in js
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js, sink
    assert 'new URL("api/ask", document.baseURI)' in js


def test_embed_js_opens_widget_from_its_own_origin(client: TestClient) -> None:
    r = client.get("/embed.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    js = r.text
    assert "document.currentScript" in js and 'new URL("widget", src)' in js
    assert "質問する" in js and 'createElement("iframe")' in js
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in js, sink


# --- with the Gradio UI mounted -------------------------------------------------------------------------


def test_app_with_ui_keeps_api_routes(service: FakeService, settings: Settings) -> None:
    with TestClient(create_app(service, settings, ui=build_ui)) as c:
        page = c.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert c.get("/config").json()["title"] == "伴走支援 Q&A"
        r = _post(c, {"question": QUESTION})
        assert r.status_code == 200 and "162" in r.json()["answer"]
        assert c.get("/api/stats").status_code == 200
        assert c.get("/api/stats/2-3.csv").headers["content-type"] == "text/csv; charset=utf-8"
        assert c.get("/api/stats/nope").status_code == 404
        assert c.get("/healthz").json()["status"] == "ok"
        assert c.get("/widget").status_code == 200
        assert c.get("/embed.js").status_code == 200
        assert c.get("/docs").status_code == 200
        assert "/api/ask" in c.get("/openapi.json").json()["paths"]
        assert _post(c, "{bad").status_code == 422


def test_oversized_body_is_413_and_an_oversized_field_422(client) -> None:  # type: ignore[no-untyped-def]
    big = {"question": "税理士は？", "history": [{"question": "q", "answer": "あ" * 30_000}]}
    r = client.post("/api/ask", json=big)
    assert r.status_code == 422 and "too long" in r.json()["detail"]
    huge = {"question": "税理士は？", "history": ["x"] * 5, "pad": "x" * 600_000}
    r = client.post("/api/ask", json=huge)
    assert r.status_code == 413 and "too large" in r.json()["detail"]
