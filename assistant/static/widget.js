/* FAQ widget: asks /api/ask and shows the answer with numbered sources.
   Every piece of user or answer text goes into the page with textContent, never as HTML.
   The conversation is kept in sessionStorage (it survives a reload of the host page), Enter
   during IME composition never sends, errors are said in the asker's language with a retry,
   and Esc or × closes the widget (the host's embed.js hides the frame and refocuses its button). */
(function () {
  "use strict";

  var root = document.getElementById("bansou-widget");
  var form = document.getElementById("ask-form");
  var input = document.getElementById("question");
  var button = document.getElementById("ask-button");
  var log = document.getElementById("log");
  var status = document.getElementById("status");
  var closeButton = document.getElementById("close-widget");
  var newChat = document.getElementById("new-chat");
  var maxChars = parseInt(root.getAttribute("data-max-chars"), 10) || 1000;
  var maxHistory = parseInt(root.getAttribute("data-max-history"), 10);
  if (isNaN(maxHistory)) { maxHistory = 10; }
  var apiUrl = new URL("api/ask", document.baseURI).href;
  var STORE_KEY = "bansou-widget:v1";
  var MAX_STORED = 40; // messages kept for a reload
  var TIMEOUT_MS = 60000;
  var SUGGESTIONS = [
    "伴走支援を受けている企業の割合は？",
    "伴走支援を受けていない理由で多いのは？",
    "どこから伴走支援を受けている企業が多い？",
    "What is 伴走支援 (hands-on support)?"
  ];
  var TEXT = {
    ja: {
      greeting: "こんにちは。調査レポート「中小企業と伴走支援」の内容について、出典つきでお答えします。たとえば：",
      offline: "サーバーに接続できませんでした。通信環境を確かめて、もう一度お試しください。",
      timeout: "時間内に回答できませんでした。もう一度お試しください。",
      failed: "回答を取得できませんでした。",
      retry: "もう一度送る",
      tooLong: function (n) { return "質問が長すぎます（上限" + maxChars + "文字、いま" + n + "文字）。短くしてください。"; },
      busy: "回答を作成しています…",
      sources: "出典",
      data: "図表の数値（アプリで整理）",
      text: "本文より"
    },
    en: {
      greeting: "Hello. I answer questions about the survey report on SMEs and hands-on (伴走) support, with sources. For example:",
      offline: "Could not reach the server. Check your connection and try again.",
      timeout: "The answer took too long. Please try again.",
      failed: "Could not get an answer.",
      retry: "Try again",
      tooLong: function (n) { return "The question is too long (limit " + maxChars + " characters, yours has " + n + "). Please shorten it."; },
      busy: "Writing the answer…",
      sources: "Sources",
      data: "Chart figures (arranged by this app)",
      text: "Report text"
    }
  };
  var history = [];
  var stored = [];
  var composing = false;

  function langOf(text) {
    var latin = (text.match(/[A-Za-z]/g) || []).length;
    var japanese = (text.match(/[\u3040-\u30ff\u3400-\u9fff]/g) || []).length;
    return latin > 1.5 * japanese ? "en" : "ja";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function save() {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify({ history: history, messages: stored.slice(-MAX_STORED) }));
    } catch (e) { /* storage full or blocked: the conversation still works */ }
  }

  // A chart citation's figures were put together by the app: labelled as data, never quoted.
  // Only the report's own sentences get quotation marks.
  function dataSummary(quote) {
    var at = quote.indexOf(": ");
    return quote.charAt(0) === "◼" && at > 0 ? quote.slice(at + 2) : quote;
  }

  function sourceList(citations, lang) {
    var t = TEXT[lang === "en" ? "en" : "ja"];
    var box = el("div", "sources");
    box.appendChild(el("h2", null, t.sources));
    var list = el("ol");
    citations.forEach(function (c) {
      var item = el("li", "source");
      item.setAttribute("data-n", String(c.n));
      item.appendChild(el("span", "n", "[" + c.n + "]"));
      var meta = [c.section, c.title].filter(Boolean).join(" ");
      var extra = [c.base, c.period].filter(Boolean).join("・");
      item.appendChild(el("span", "meta", extra ? meta + "（" + extra + "）" : meta));
      if (c.quote && c.chart) {
        item.appendChild(el("span", "kind", t.data));
        item.appendChild(el("span", "data", dataSummary(c.quote)));
      } else if (c.quote) {
        item.appendChild(el("span", "kind", t.text));
        item.appendChild(el("span", "quote", "「" + c.quote + "」"));
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function showUser(question) {
    var node = el("div", "msg user", question);
    log.appendChild(node);
    return node;
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

  function showError(message, lang, retryQuestion) {
    var bubble = el("div", "msg error", message);
    bubble.setAttribute("role", "alert");
    if (retryQuestion) {
      var again = el("button", "retry", TEXT[lang].retry);
      again.type = "button";
      again.addEventListener("click", function () {
        if (button.disabled) { return; }
        bubble.remove();
        ask(retryQuestion, true);
      });
      bubble.appendChild(again);
    }
    log.appendChild(bubble);
    scrollDown();
  }

  function greet() {
    var box = el("div", "msg bot greeting", TEXT.ja.greeting);
    var list = el("div", "suggestions");
    SUGGESTIONS.forEach(function (q) {
      var chip = el("button", "suggestion", q);
      chip.type = "button";
      chip.addEventListener("click", function () { if (!button.disabled) { ask(q); } });
      list.appendChild(chip);
    });
    box.appendChild(list);
    log.appendChild(box);
  }

  function remember(data) {
    history.push({
      question: data.question,
      answer: data.answer,
      figures: (data.figures || []).map(function (f) { return { table: f.table }; })
    });
    while (history.length > maxHistory) { history.shift(); }
  }

  function busy(on, lang) {
    button.disabled = on;
    input.disabled = on;
    status.textContent = on ? TEXT[lang].busy : "";
  }

  function localized(detail, lang) {
    // server messages are "日本語 / English": give the asker's half
    var parts = String(detail).split(" / ");
    if (parts.length === 2) { return lang === "en" ? parts[1] : parts[0]; }
    return String(detail);
  }

  function ask(question, again) {
    var lang = langOf(question);
    var asked = again ? null : showUser(question);
    if (!again) { stored.push({ kind: "user", text: question }); save(); }
    scrollDown();
    busy(true, lang);
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
          var failure = new Error(body && typeof body.detail === "string" ? localized(body.detail, lang) : TEXT[lang].failed + " (HTTP " + res.status + ")");
          failure.retryable = res.status >= 500 || res.status === 408 || res.status === 429;
          throw failure;
        }
        return body;
      });
    }).then(function (data) {
      showAnswer(data, asked);
      remember(data);
      stored.push({ kind: "bot", data: data });
      save();
    }).catch(function (err) {
      var aborted = err && err.name === "AbortError";
      var offline = err && err.name === "TypeError"; // fetch's "Failed to fetch": never shown as is
      var message = aborted ? TEXT[lang].timeout : offline ? TEXT[lang].offline : (err && err.message) || TEXT[lang].failed;
      showError(message, lang, aborted || offline || (err && err.retryable) ? question : null);
    }).then(function () {
      if (timer) { clearTimeout(timer); }
      busy(false, lang);
      input.focus();
    });
  }

  function restore() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null"); } catch (e) { saved = null; }
    if (!saved || !Array.isArray(saved.messages) || !saved.messages.length) { greet(); return; }
    history = Array.isArray(saved.history) ? saved.history.slice(-maxHistory) : [];
    stored = saved.messages.slice(-MAX_STORED);
    stored.forEach(function (m) {
      if (m && m.kind === "user" && typeof m.text === "string") { showUser(m.text); }
      if (m && m.kind === "bot" && m.data && typeof m.data.answer === "string") { showAnswer(m.data, null); }
    });
    scrollDown();
  }

  function startOver() {
    history = [];
    stored = [];
    try { sessionStorage.removeItem(STORE_KEY); } catch (e) { /* nothing kept */ }
    while (log.firstChild) { log.removeChild(log.firstChild); }
    greet();
    input.value = "";
    input.focus();
  }

  function requestClose() {
    if (window.parent && window.parent !== window) {
      window.parent.postMessage({ type: "bansou:close" }, "*"); // carries nothing but the request
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || button.disabled) { return; }
    if (question.length > maxChars) {
      showError(TEXT[langOf(question)].tooLong(question.length), langOf(question), null);
      return; // the text stays in the box, to be shortened
    }
    input.value = "";
    ask(question);
  });

  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () {
    // Safari fires the confirming Enter's keydown after compositionend: let that one pass unsent
    setTimeout(function () { composing = false; }, 0);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey) { return; }
    if (event.isComposing || event.keyCode === 229 || composing) { return; } // confirming a conversion
    event.preventDefault();
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !composing && !event.isComposing) { requestClose(); }
  });
  closeButton.addEventListener("click", requestClose);
  newChat.addEventListener("click", startOver);
  if (!window.parent || window.parent === window) { closeButton.hidden = true; } // opened on its own: nothing to close

  restore();
})();
