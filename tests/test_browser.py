"""Headless Chromium against the live app: the embedded FAQ widget, the statistics tab, and XSS.

The app is served on one loopback port and a plain host page on another, so the widget is
tested the way a customer site would embed it. Without chromium these tests fail when CI is
set and skip otherwise. The `browser_service` fixture is the only thing to swap for the real
engine; the assertions hold for a real answer too.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant import ui_format as fmt
from assistant.api import create_app
from assistant.service import AssistantService
from assistant.settings import Settings
from tests.servers import serve_app, serve_dir
from ui import build_ui

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
XSS = "<img src=x onerror=alert(1)>"
QUESTION = "伴走支援を受けていない理由は？"
PAGE_TIMEOUT_S = 30
ANSWER_TIMEOUT_S = 90  # a real engine may load its embedder on the first question
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
    "--lang=ja",
)


@pytest.fixture(scope="module", autouse=True)
def _chromium_installed() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return
    message = (
        f"browser tests need headless Chromium; missing {', '.join(missing)}. "
        "Install: apt-get install -y chromium chromium-driver fonts-ipafont-gothic"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser_service(real_service) -> AssistantService:  # type: ignore[no-untyped-def]
    """The real engine over a store built from corpus/: the browser sees real answers."""
    return real_service  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def feedback_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "votes" / "feedback.jsonl"


@pytest.fixture(scope="module")
def app_url(browser_service: AssistantService, feedback_path: Path) -> Iterator[str]:
    settings = Settings(feedback=feedback_path, cache=feedback_path.parent / "cache")
    with serve_app(create_app(browser_service, settings, ui=build_ui)) as url:
        yield url


@pytest.fixture(scope="module")
def host_url(app_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A customer's page on another origin that embeds the widget with one script tag."""
    site = tmp_path_factory.mktemp("host-site")
    (site / "index.html").write_text(
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>取引先のサイト</title></head>'
        '<body style="font-family:sans-serif;margin:40px"><h1>株式会社サンプル</h1>'
        "<p>中小企業の経営支援についてのご案内ページです。右下のボタンから質問できます。</p>"
        f'<script src="{app_url}/embed.js" async></script></body></html>',
        encoding="utf-8",
    )
    with serve_dir(site) as url:
        yield url


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    path = tmp_path / "downloads"
    path.mkdir()
    return path


@pytest.fixture
def driver(downloads: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile.name}")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "safebrowsing.enabled": False,
        },
    )
    # An alert must surface as an error, not be dismissed silently.
    options.set_capability("unhandledPromptBehavior", "ignore")
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    d.set_page_load_timeout(PAGE_TIMEOUT_S)
    d.set_script_timeout(PAGE_TIMEOUT_S)
    try:
        yield d
    finally:
        d.quit()
        profile.cleanup()


def _wait(driver: Any, condition: Any, timeout: float = PAGE_TIMEOUT_S, message: str = "") -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # Gradio re-renders nodes while a condition reads them: a stale node means "look again"
    wait = WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,))
    return wait.until(condition, message)


def _css(driver: Any, selector: str) -> list[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _assert_no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        text = driver.switch_to.alert.text
    except NoAlertPresentException:
        return
    pytest.fail(f"an alert opened: {text!r}")


def _assert_only_local_requests(driver: Any, *origins: str) -> None:
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    outside = [u for u in urls if not u.startswith(origins) and not u.startswith(("data:", "blob:"))]
    assert outside == [], f"requests left this machine: {outside}"


def _has_citation_marker(text: str) -> bool:
    return re.search(r"\[\d+\]", text) is not None


# --- the embedded widget -------------------------------------------------------------------------


def _open_widget(driver: Any, host_url: str, app_url: str) -> None:
    driver.get(host_url + "/")
    button = _wait(driver, lambda d: next(iter(_css(d, "#bansou-qa-button")), None), message="no 質問する button")
    assert button.text == "質問する" and button.is_displayed()
    button.click()
    frame = _wait(driver, lambda d: next(iter(_css(d, "iframe#bansou-qa-frame")), None), message="no widget iframe")
    assert frame.get_attribute("src") == f"{app_url}/widget"
    driver.switch_to.frame(frame)
    _wait(driver, lambda d: _css(d, "#question"), message="widget did not load")


def _widget_ask(driver: Any, question: str) -> Any:
    before = len(_css(driver, "#log .msg.bot, #log .msg.error"))
    box = _css(driver, "#question")[0]
    box.send_keys(question)
    _css(driver, "#ask-button")[0].click()
    _wait(
        driver,
        lambda d: len(_css(d, "#log .msg.bot, #log .msg.error")) > before,
        ANSWER_TIMEOUT_S,
        "the widget showed no answer",
    )
    return _css(driver, "#log .msg.bot, #log .msg.error")[-1]


def test_widget_embedded_on_another_origin_answers_with_sources(driver: Any, host_url: str, app_url: str) -> None:
    _open_widget(driver, host_url, app_url)
    bubble = _widget_ask(driver, QUESTION)
    assert "error" not in bubble.get_attribute("class")
    answer = bubble.find_element("css selector", ".answer").text
    assert "162" in answer and _has_citation_marker(answer), answer
    sources = bubble.find_elements("css selector", ".sources li.source")
    assert sources, "no sources under the answer"
    marker = re.search(r"\[(\d+)\]", answer).group(1)  # type: ignore[union-attr]
    cited = [s for s in sources if s.get_attribute("data-n") == marker]
    assert cited, f"answer cites [{marker}] but no such source"
    assert any("2-3" in s.text for s in sources), [s.text for s in sources]
    assert any(s.find_elements("css selector", ".quote") for s in sources)  # the report's sentences, quoted
    data = [d.text for s in sources for d in s.find_elements("css selector", ".data")]
    assert data and not any(d.startswith("「") or "◼" in d for d in data)  # the app's figures, labelled as data
    assert any("図表の数値（アプリで整理）" in s.text for s in sources)
    user = _css(driver, "#log .msg.user")[-1]
    assert user.text == QUESTION
    _assert_only_local_requests(driver, app_url)
    driver.switch_to.default_content()
    _assert_only_local_requests(driver, app_url, host_url)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n", encoding="utf-8")
    assert driver.save_screenshot(str(ARTIFACTS / "widget.png"))


def test_widget_shows_markup_as_text(driver: Any, host_url: str, app_url: str) -> None:
    _open_widget(driver, host_url, app_url)
    _widget_ask(driver, XSS)
    _assert_no_alert(driver)
    user = _css(driver, "#log .msg.user")[-1]
    assert user.text == XSS
    assert _css(driver, "#log img") == []
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0


AXE = Path(__file__).resolve().parents[1] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def _axe(driver: Any) -> list[dict[str, Any]]:
    """axe-core's critical and serious violations on the current document (or frame)."""
    if not AXE.exists():
        message = f"axe-core is missing at {AXE}: run `make browser-deps`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));"
    )
    assert isinstance(result, list), result
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result
        if v["impact"] in ("critical", "serious")
    ]


def _screenshot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / ".gitignore").write_text("*\n", encoding="utf-8")
    assert driver.save_screenshot(str(ARTIFACTS / name))


def test_widget_greets_and_its_suggestions_ask(driver: Any, host_url: str, app_url: str) -> None:
    _open_widget(driver, host_url, app_url)
    greeting = _wait(driver, lambda d: next(iter(_css(d, "#log .greeting")), None), message="no greeting")
    chips = greeting.find_elements("css selector", "button.suggestion")
    assert 3 <= len(chips) <= 4 and all(c.text for c in chips)
    chips[0].click()
    _wait(driver, lambda d: len(_css(d, "#log .msg.bot:not(.greeting)")) == 1, ANSWER_TIMEOUT_S, "no answer")
    assert _css(driver, "#log .msg.user")[-1].text == chips[0].text


def test_widget_closes_with_escape_or_its_button_and_focus_returns(driver: Any, host_url: str, app_url: str) -> None:
    from selenium.webdriver.common.keys import Keys

    for how in ("escape", "button"):
        _open_widget(driver, host_url, app_url)
        if how == "escape":
            _css(driver, "#question")[0].send_keys(Keys.ESCAPE)
        else:
            close = _css(driver, "#close-widget")[0]
            assert close.is_displayed() and close.get_attribute("aria-label")
            close.click()
        driver.switch_to.default_content()
        frame = _css(driver, "iframe#bansou-qa-frame")[0]
        _wait(driver, lambda d, f=frame: not f.is_displayed(), message=f"the widget did not close ({how})")
        active = driver.execute_script("return document.activeElement && document.activeElement.id")
        assert active == "bansou-qa-button", how
        assert _css(driver, "#bansou-qa-button")[0].get_attribute("aria-expanded") == "false"


def test_widget_enter_while_composing_does_not_send(driver: Any, host_url: str, app_url: str) -> None:
    _open_widget(driver, host_url, app_url)
    box = _css(driver, "#question")[0]
    box.send_keys("でんわ")
    sent = driver.execute_script(
        """
        const input = document.getElementById('question');
        const fire = (init, code) => {
          const e = new KeyboardEvent('keydown', Object.assign({key: 'Enter', bubbles: true, cancelable: true}, init));
          if (code !== undefined) Object.defineProperty(e, 'keyCode', {get: () => code});
          input.dispatchEvent(e);
        };
        fire({isComposing: true});           // Chrome: Enter that confirms a conversion
        fire({isComposing: false}, 229);     // Safari: the same Enter, after compositionend
        input.dispatchEvent(new CompositionEvent('compositionstart'));
        fire({isComposing: false});          // between compositionstart and end
        return document.querySelectorAll('#log .msg.user').length;
        """
    )
    assert sent == 0 and box.get_attribute("value") == "でんわ"


def test_widget_errors_speak_the_users_language_and_offer_a_retry(driver: Any, host_url: str, app_url: str) -> None:
    _open_widget(driver, host_url, app_url)
    driver.execute_script(
        "window.__realFetch = window.fetch;window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));"
    )
    for question, needle in ((QUESTION, "接続できませんでした"), ("Why do firms not use it?", "Could not reach")):
        bubble = _widget_ask(driver, question)
        assert "error" in bubble.get_attribute("class") and needle in bubble.text
        assert "Failed to fetch" not in bubble.text
    driver.execute_script("window.fetch = window.__realFetch;")
    _css(driver, "#log .msg.error button.retry")[-1].click()
    _wait(driver, lambda d: len(_css(d, "#log .msg.bot:not(.greeting)")) == 1, ANSWER_TIMEOUT_S, "retry gave no answer")


def test_widget_conversation_survives_a_reload_until_started_over(driver: Any, host_url: str, app_url: str) -> None:
    _open_widget(driver, host_url, app_url)
    _widget_ask(driver, QUESTION)
    driver.switch_to.default_content()
    driver.refresh()
    _open_widget(driver, host_url, app_url)
    _wait(driver, lambda d: _css(d, "#log .msg.user"), message="the conversation was lost on reload")
    assert _css(driver, "#log .msg.user")[0].text == QUESTION and _css(driver, "#log .msg.bot .sources")
    _css(driver, "#new-chat")[0].click()
    assert _css(driver, "#log .msg.user") == [] and _css(driver, "#log .greeting")


def test_widget_and_host_page_pass_axe_and_fit_a_phone(driver: Any, host_url: str, app_url: str) -> None:
    _open_widget(driver, host_url, app_url)
    _widget_ask(driver, QUESTION)
    assert _axe(driver) == []  # the widget
    driver.switch_to.default_content()
    assert _axe(driver) == []  # the host page with embed.js
    _screenshot(driver, "widget-1280x800.png")
    driver.set_window_size(390, 844)
    driver.get(host_url + "/")
    _open_widget(driver, host_url, app_url)
    size = driver.execute_script(
        "return [getComputedStyle(document.getElementById('question')).fontSize,"
        " document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert float(size[0].rstrip("px")) >= 16 and size[1] <= size[2]
    driver.switch_to.default_content()
    frame = driver.execute_script(
        "const r = document.getElementById('bansou-qa-frame').getBoundingClientRect();"
        "return [r.width, r.height, window.innerWidth, window.innerHeight]"
    )
    assert frame[0] >= frame[2] - 1 and frame[1] >= frame[3] - 1, frame  # full screen on a phone
    _screenshot(driver, "widget-390x844.png")


# --- the Gradio UI -----------------------------------------------------------------------------------


def _open_ui(driver: Any, app_url: str) -> None:
    driver.get(app_url + "/")
    _wait(driver, lambda d: _css(d, "#question textarea"), message="the Gradio UI did not load")


def _click_tab(driver: Any, label: str) -> None:
    tab = _wait(
        driver,
        lambda d: next((t for t in _css(d, "button[role=tab]") if t.text == label), None),
        message=f"no tab {label}",
    )
    tab.click()


def test_chat_shows_markup_as_text(driver: Any, app_url: str) -> None:
    _open_ui(driver, app_url)
    _css(driver, "#question textarea")[0].send_keys(XSS)
    _css(driver, "#send")[0].click()
    bot = _wait(
        driver,
        lambda d: [b for b in _css(d, "#chatbot [data-testid=bot]") if b.text.strip() not in ("", "…")],
        ANSWER_TIMEOUT_S,
        "the chat showed no answer",
    )
    _assert_no_alert(driver)
    user = _css(driver, "#chatbot [data-testid=user]")[-1]
    assert XSS in user.text
    assert _css(driver, "#chatbot img") == []
    assert _css(driver, "#chatbot .message-content img") == []
    assert bot
    _assert_only_local_requests(driver, app_url)


def _ask_ui(driver: Any, question: str, needle: str) -> Any:
    """Ask in the chat and wait for the answer message that contains `needle`."""
    before = len(_css(driver, "#chatbot .answer"))
    _css(driver, "#question textarea")[0].send_keys(question)
    _css(driver, "#send")[0].click()
    return _wait(
        driver,
        lambda d: next((a for a in _css(d, "#chatbot .answer")[before:] if needle in a.text), None),
        ANSWER_TIMEOUT_S,
        f"the chat showed no answer with {needle}",
    )


def _capture_clipboard(driver: Any) -> None:
    driver.execute_script(
        "window.__copied = [];"
        "navigator.clipboard.writeText = (t) => { window.__copied.push(t); return Promise.resolve(); };"
    )


def _english_names(driver: Any) -> list[str]:
    """Controls whose accessible name is English only (the page's language is Japanese)."""
    names = driver.execute_script(
        "return [...document.querySelectorAll('button, [role=button], [role=tab], input, textarea, a')]"
        ".filter(e => e.offsetParent !== null)"
        ".map(e => e.getAttribute('aria-label') || e.innerText || e.getAttribute('title') || '')"
    )
    return [n for n in names if re.fullmatch(r"[A-Za-z][A-Za-z .]*", n.strip())]


def test_chat_answer_has_linked_markers_data_sources_and_its_own_chart(driver: Any, app_url: str) -> None:
    _open_ui(driver, app_url)
    first = _ask_ui(driver, QUESTION, "162")
    assert _has_citation_marker(first.text)
    target = first.find_elements("css selector", "a.cite")[0].get_attribute("href").split("#", 1)[1]

    def focused_after_click(d: Any) -> bool:
        # the marker is looked up afresh and clicked again while a streamed answer may still be
        # redrawn: a redraw replaces the nodes, but a link that goes nowhere never passes
        if d.execute_script("return document.activeElement.id") != target:
            links = _css(d, f'#chatbot a.cite[href="#{target}"]')
            if links:
                links[0].click()
        return d.execute_script("return document.activeElement.id") == target

    _wait(driver, focused_after_click, message="[n] goes nowhere")
    first = _css(driver, "#chatbot .answer")[-1]  # the answer as drawn now
    sources = first.find_element("css selector", ".sources").text
    assert "2-3「伴走支援を受けていない理由」" in sources and "図表の数値（アプリで整理）" in sources
    assert "図表2-3" not in sources and "2-3-" not in sources  # no invented figure numbers, no ids
    bars = first.find_elements("css selector", "figure.bars .bar-row")
    assert len(bars) >= 5 and "162件" in bars[0].text
    assert bars[0].size["height"] < 60  # a label on one or two lines beside its bar, never rotated
    widths = [
        float(b.get_attribute("style").split(":")[1].rstrip("%;")) for b in first.find_elements("css selector", ".bar")
    ]
    assert max(widths) < 100

    second = _ask_ui(driver, "伴走支援を受けている企業の割合は？", "37.1")
    figures = _css(driver, "#chatbot figure.bars figcaption")
    assert len(figures) == 2, "each answer keeps its own chart"
    assert "伴走支援を受けていない理由" in figures[0].text and "伴走支援の活用状況" in figures[1].text
    assert second.find_elements("css selector", "figure.bars")
    box = _css(driver, "#question textarea")[0]
    assert box.rect["y"] + box.rect["height"] <= driver.execute_script("return window.innerHeight"), (
        "input below the fold"
    )
    _screenshot(driver, "chat-answer-1280x800.png")


def test_chat_copy_gives_plain_text_with_source_lines(driver: Any, app_url: str) -> None:
    _open_ui(driver, app_url)
    answer = _ask_ui(driver, QUESTION, "162")
    _capture_clipboard(driver)
    answer.find_element("css selector", "button.copy-plain").click()
    copied = _wait(driver, lambda d: d.execute_script("return window.__copied[0]"), message="nothing copied")
    lines = copied.splitlines()
    assert "162件" in lines[0] and "[1]" in lines[0]
    assert "出典:" in lines
    assert any(
        x.startswith("[1] フォーバル GDXリサーチ研究所『中小企業と伴走支援』2-3「伴走支援を受けていない理由」")
        for x in lines
    )
    assert not re.search(r"<[a-z/]|&[a-z]+;|\\[\[\]().*_]", copied), copied  # no HTML, entities or markdown escapes


def test_chat_feedback_can_be_withdrawn_and_a_dislike_asks_why(driver: Any, app_url: str, feedback_path: Path) -> None:
    from assistant.feedback import FeedbackLog, current_votes

    _open_ui(driver, app_url)
    _ask_ui(driver, QUESTION, "162")
    log = FeedbackLog(feedback_path)
    start = len(log.records())

    def written(n: int) -> Any:
        return _wait(driver, lambda d: len(log.records()) >= start + n, message=f"{n} feedback lines not written")

    _css(driver, "#chatbot button[aria-label=いいね]")[-1].click()
    written(1)
    liked = _css(driver, "#chatbot button[aria-label^=いいね済み]")  # its name says so, in Japanese
    liked[-1].click()  # clicked again: withdrawn
    written(2)
    mine = log.records()[start:]
    assert [r["vote"] for r in mine] == ["like", "withdrawn"] and mine[0]["question"] == QUESTION
    session = mine[0]["session"]
    assert session and (session, 0) not in current_votes(log.records())

    _css(driver, "#chatbot button[aria-label=よくないね]")[-1].click()
    written(3)
    reason = _wait(
        driver,
        lambda d: next((r for r in _css(d, "#dislike-reason") if r.is_displayed()), None),
        message="no reason asked",
    )
    next(x for x in reason.find_elements("css selector", "label") if x.text == "数値が違う").click()
    written(4)
    vote = current_votes(log.records())[(session, 0)]
    assert vote["vote"] == "dislike" and vote["reason"] == "wrong_number" and "162" in vote["answer"]
    hidden = "const r = document.querySelector('#dislike-reason'); return !r || r.offsetParent === null"
    _wait(driver, lambda d: d.execute_script(hidden), message="reason row stays")  # read in one step: no stale node


def test_chat_and_statistics_pass_axe_speak_japanese_and_fit_a_phone(driver: Any, app_url: str) -> None:
    _open_ui(driver, app_url)
    _ask_ui(driver, QUESTION, "162")
    assert _axe(driver) == []
    assert _english_names(driver) == []
    _click_tab(driver, "統計")
    _wait(driver, lambda d: "受けている" in _css(d, "#chart-table")[0].text, message="no table")
    assert _axe(driver) == []
    assert _english_names(driver) == []

    driver.set_window_size(390, 844)
    _open_ui(driver, app_url)
    _ask_ui(driver, "伴走支援を受けている企業の割合は？", "37.1")
    sizes = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], sizes
    chat = _css(driver, "#chatbot")[0]
    assert (
        driver.execute_script("return getComputedStyle(arguments[0]).overflowY", chat) == "visible"
    )  # no inner scroll
    _screenshot(driver, "chat-390x844.png")
    _click_tab(driver, "統計")
    _wait(driver, lambda d: "受けている" in _css(d, "#chart-table")[0].text, message="no table")
    table = _css(driver, "#chart-table table")[0]
    right = driver.execute_script("return document.querySelector('#chart-table').getBoundingClientRect().right")
    for cell in table.find_elements("css selector", "td.num"):
        assert cell.rect["x"] + cell.rect["width"] <= right + 1, "the number column is cut off"
    sizes = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], sizes
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", table)
    _screenshot(driver, "stats-390x844.png")


def test_statistics_table_copy_has_its_header_row(driver: Any, app_url: str, browser_service: AssistantService) -> None:
    _open_ui(driver, app_url)
    _click_tab(driver, "統計")
    _pick_chart(driver, dict((v, k) for k, v in fmt.chart_choices(browser_service.charts()))["2-3"])
    _wait(driver, lambda d: "必要性を感じないから" in _css(d, "#chart-table")[0].text, message="table not updated")
    _capture_clipboard(driver)
    _css(driver, "#chart-table button.copy-plain")[0].click()
    copied = _wait(driver, lambda d: d.execute_script("return window.__copied[0]"), message="nothing copied")
    header, first = copied.splitlines()[:2]
    assert header.split("\t")[0] == (browser_service.chart("2-3").row_axis or "項目")
    assert "回答企業数に対する割合（計算値）" in header
    assert first.split("\t")[:2] == ["必要性を感じないから", "162件"]


def test_statistics_tab_downloads_csv_and_shows_citation(
    driver: Any, app_url: str, downloads: Path, browser_service: AssistantService
) -> None:

    chart = browser_service.chart("2-3")
    expected_citation = fmt.citation_line(browser_service.document, chart)
    _open_ui(driver, app_url)
    _click_tab(driver, "統計")
    _pick_chart(driver, dict((v, k) for k, v in fmt.chart_choices(browser_service.charts()))["2-3"])

    def citation_text(d: Any) -> str:
        boxes = _css(d, "#citation-line textarea")
        return boxes[0].get_attribute("value") if boxes else ""

    _wait(driver, lambda d: citation_text(d) == expected_citation, message="citation line not updated")
    assert (
        citation_text(driver)
        == "出典：フォーバル GDXリサーチ研究所『中小企業と伴走支援』2-3「伴走支援を受けていない理由」"
        "（調査期間 2023年8月21日～9月15日、回答企業数347、回答総数576、複数回答）"
    )
    _wait(driver, lambda d: "必要性を感じないから" in _css(d, "#chart-table")[0].text, message="table not updated")
    assert "回答企業数347、回答総数576" in _css(driver, "#chart-caption")[0].text

    _css(driver, "#csv-download")[0].click()
    target = downloads / "chart-2-3.csv"
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.exists(), f"no download; got {[p.name for p in downloads.iterdir()]}"
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel on Japanese Windows read UTF-8
    with httpx.Client(base_url=app_url, timeout=10) as http:
        assert http.get("/api/stats/2-3.csv").content == data  # the UI download and the API's CSV are the same bytes
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][:4] == ["2-3", "必要性を感じないから", "they see no need", "162"]
    tail = {row[0]: row[1] for row in rows if len(row) == 2}
    assert tail["base"] == "回答企業数347、回答総数576"
    assert tail["period"] == "2023年8月21日～9月15日"
    _assert_only_local_requests(driver, app_url)


def _pick_chart(driver: Any, label: str) -> None:
    from selenium.webdriver.common.keys import Keys

    pick = _wait(
        driver,
        lambda d: next((e for e in _css(d, "#chart-pick input") if e.is_displayed()), None),
        message="no chart dropdown",
    )
    pick.click()
    pick.send_keys(Keys.CONTROL, "a")
    pick.send_keys(Keys.BACKSPACE)  # the list is filtered by what the box shows: empty it first
    option = _wait(
        driver,
        lambda d: next((o for o in _css(d, "li[role=option]") if o.get_attribute("aria-label") == label), None),
        message=f"no option {label!r}",
    )
    option.click()
    pick.send_keys(Keys.ESCAPE)


def test_every_chart_draws_after_any_switch(driver: Any, app_url: str, browser_service: AssistantService) -> None:
    """Single series, cross-tab, multiple answers, back and forth: the plot is never blank."""
    labels = dict((v, k) for k, v in fmt.chart_choices(browser_service.charts()))
    _open_ui(driver, app_url)
    _click_tab(driver, "統計")
    for chart_id in ("1-2-age", "1-1", "1-2-dx", "2-3", "1-2-gx", "1-4"):
        chart = browser_service.chart(chart_id)
        _pick_chart(driver, labels[chart_id])
        _wait(
            driver,
            lambda d, c=chart: c.rows[0].label in _css(d, "#chart-table")[0].text,
            message=f"table of {chart_id} not shown",
        )

        def drawn(d: Any, c: Any = chart) -> bool:
            panels = _css(d, "#chart-plot figure.bars")
            first = c.columns[0].label if c.is_crosstab else c.title
            return (
                len(panels) == len(c.columns)  # a cross-tab: one panel per series, no legend
                and first in panels[0].text
                and all(p.is_displayed() and p.find_elements("css selector", ".bar-row .bar") for p in panels)
            )

        _wait(driver, drawn, message=f"the plot of {chart_id} is blank after switching")
    assert "1-2-dx" not in _css(driver, "#chart-caption")[0].text  # the section is shown, not the internal id
    _pick_chart(driver, labels["1-2-age"])
    _wait(driver, lambda d: len(_css(d, "#chart-plot figure.bars")) == 3, message="the age chart is not drawn")
    _wait(driver, lambda d: not any(o.is_displayed() for o in _css(d, "li[role=option]")), message="list stays open")
    time.sleep(0.5)  # the list fades out
    driver.execute_script("document.querySelector('#chart-table').scrollIntoView({block: 'start'})")
    _screenshot(driver, "stats-1280x800.png")


def test_chat_page_says_japanese_has_a_heading_and_never_cuts_a_long_question(driver: Any, app_url: str) -> None:
    _open_ui(driver, app_url)
    _wait(driver, lambda d: d.execute_script("return document.documentElement.lang") == "ja", message="lang")
    assert [h.text for h in _css(driver, "h1")][:1] == ["伴走支援 Q&A"]
    box = _css(driver, "#question textarea")[0]
    long_question = "あ" * 1005
    driver.execute_script(
        "const t = arguments[0]; t.value = arguments[1]; t.dispatchEvent(new Event('input', {bubbles: true}));",
        box,
        long_question,
    )
    _css(driver, "#send")[0].click()
    toast = _wait(
        driver,
        lambda d: next((t for t in _css(d, ".toast-body, [data-testid=toast-body]") if "上限1000文字" in t.text), None),
        message="no message about the limit",
    )
    assert "1005文字" in toast.text
    assert len(box.get_attribute("value")) == 1005  # kept, to be shortened
    _screenshot(driver, "chat-1280x800.png")
