/* Embed the FAQ widget: <script src="https://your-host/embed.js" async></script>
   Adds a floating 「質問する」 button that opens /widget (from the server this script came from)
   in an iframe. Touches nothing else on the host page. The widget asks to be closed (its ×
   button or Esc) with a message; only messages from the widget's own frame are heeded. On a
   phone-sized screen the widget takes the whole screen. */
(function () {
  "use strict";
  if (window.__bansouWidgetLoaded) { return; }
  window.__bansouWidgetLoaded = true;

  var script = document.currentScript;
  var src = script && script.src ? script.src : null;
  if (!src) { return; }
  var widgetUrl = new URL("widget", src).href;
  var widgetOrigin = new URL(widgetUrl).origin;
  var PHONE = "(max-width: 480px)";

  var frame = null;
  var button = document.createElement("button");
  button.type = "button";
  button.id = "bansou-qa-button";
  button.textContent = "質問する";
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "bansou-qa-frame");
  var b = button.style;
  b.position = "fixed"; b.right = "20px"; b.bottom = "20px"; b.zIndex = "2147483000";
  b.padding = "12px 18px"; b.border = "0"; b.borderRadius = "24px"; b.background = "#0b5cad";
  b.color = "#fff"; b.font = "600 15px system-ui, sans-serif"; b.cursor = "pointer";
  b.boxShadow = "0 4px 14px rgba(0,0,0,.25)";

  function phone() { return window.matchMedia && window.matchMedia(PHONE).matches; }

  function place() {
    var f = frame.style;
    if (phone()) {
      f.right = "0"; f.bottom = "0"; f.width = "100vw"; f.maxWidth = "100vw"; f.height = "100%";
      f.maxHeight = "100%"; f.borderRadius = "0"; f.border = "0";
    } else {
      f.right = "20px"; f.bottom = "76px"; f.width = "380px"; f.maxWidth = "calc(100vw - 40px)";
      f.height = "560px"; f.maxHeight = "calc(100vh - 100px)"; f.border = "1px solid #d0d7de"; f.borderRadius = "10px";
    }
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "bansou-qa-frame";
      frame.title = "伴走支援 Q&A";
      frame.src = widgetUrl;
      frame.setAttribute("referrerpolicy", "no-referrer");
      var f = frame.style;
      f.position = "fixed"; f.zIndex = "2147483001"; f.background = "#fff"; f.boxShadow = "0 8px 28px rgba(0,0,0,.25)";
      document.body.appendChild(frame);
    }
    place();
    frame.style.display = "block";
    button.textContent = "閉じる";
    button.setAttribute("aria-expanded", "true");
    if (phone()) { button.style.display = "none"; } // the widget's own × closes it
    frame.focus();
  }

  function close() {
    if (frame) { frame.style.display = "none"; }
    button.style.display = "";
    button.textContent = "質問する";
    button.setAttribute("aria-expanded", "false");
    button.focus(); // back where the user was
  }

  function isOpen() { return !!frame && frame.style.display !== "none"; }

  button.addEventListener("click", function () { if (isOpen()) { close(); } else { open(); } });
  window.addEventListener("message", function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== widgetOrigin) { return; }
    if (event.data && event.data.type === "bansou:close") { close(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && isOpen()) { close(); }
  });
  window.addEventListener("resize", function () { if (isOpen()) { place(); } });

  function mount() { document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
