/* FAQ widget: asks /api/ask and shows the answer with numbered sources.
   Every piece of user or answer text goes into the page with textContent, never as HTML. */
(function () {
  "use strict";

  var root = document.getElementById("bansou-widget");
  var form = document.getElementById("ask-form");
  var input = document.getElementById("question");
  var button = document.getElementById("ask-button");
  var log = document.getElementById("log");
  var status = document.getElementById("status");
  var maxChars = parseInt(root.getAttribute("data-max-chars"), 10) || 1000;
  var maxHistory = parseInt(root.getAttribute("data-max-history"), 10);
  if (isNaN(maxHistory)) { maxHistory = 10; }
  var apiUrl = new URL("api/ask", document.baseURI).href;
  var history = [];
  var TIMEOUT_MS = 60000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function sourceList(citations, lang) {
    var box = el("div", "sources");
    box.appendChild(el("h2", null, lang === "en" ? "Sources" : "出典"));
    var list = el("ol");
    citations.forEach(function (c) {
      var item = el("li", "source");
      item.setAttribute("data-n", String(c.n));
      item.appendChild(el("span", "n", "[" + c.n + "]"));
      var meta = [c.section, c.title].filter(Boolean).join(" ");
      var extra = [c.base, c.period].filter(Boolean).join("・");
      item.appendChild(el("span", "meta", extra ? meta + "（" + extra + "）" : meta));
      if (c.quote) { item.appendChild(el("span", "quote", "「" + c.quote + "」")); }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function showAnswer(data, asked) {
    var bubble = el("div", "msg bot" + (data.abstained ? " abstained" : ""));
    bubble.appendChild(el("div", "answer", data.answer));
    if (data.citations && data.citations.length) {
      bubble.appendChild(sourceList(data.citations, data.language));
    }
    log.appendChild(bubble);
    // Long answers: keep the question and the start of the answer in view, not the last source.
    log.scrollTop = asked ? Math.max(0, asked.offsetTop - 8) : log.scrollHeight;
  }

  function showError(message) {
    log.appendChild(el("div", "msg error", message));
    scrollDown();
  }

  function remember(data) {
    history.push({
      question: data.question,
      answer: data.answer,
      figures: (data.figures || []).map(function (f) { return { table: f.table }; })
    });
    while (history.length > maxHistory) { history.shift(); }
  }

  function busy(on) {
    button.disabled = on;
    input.disabled = on;
    status.textContent = on ? "回答を作成しています…" : "";
  }

  function ask(question) {
    var asked = el("div", "msg user", question);
    log.appendChild(asked);
    scrollDown();
    busy(true);
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    return fetch(apiUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ question: question, history: history.slice(-maxHistory) }),
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) {
          throw new Error(body && typeof body.detail === "string" ? body.detail : "エラーが発生しました（HTTP " + res.status + "）");
        }
        return body;
      });
    }).then(function (data) {
      showAnswer(data, asked);
      remember(data);
    }).catch(function (err) {
      showError(err && err.name === "AbortError" ? "時間内に回答できませんでした。もう一度お試しください。" : (err && err.message) || "エラーが発生しました");
    }).then(function () {
      if (timer) { clearTimeout(timer); }
      busy(false);
      input.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || button.disabled) { return; }
    if (question.length > maxChars) {
      showError("質問が長すぎます（上限" + maxChars + "文字）。");
      return;
    }
    input.value = "";
    ask(question);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
    }
  });
})();
