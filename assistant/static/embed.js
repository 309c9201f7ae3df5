/* Embed the FAQ widget: <script src="https://your-host/embed.js" async></script>
   Adds a floating 「質問する」 button that opens /widget (from the server this script came from)
   in an iframe. Touches nothing else on the host page. */
(function () {
  "use strict";
  if (window.__bansouWidgetLoaded) { return; }
  window.__bansouWidgetLoaded = true;

  var script = document.currentScript;
  var src = script && script.src ? script.src : null;
  if (!src) { return; }
  var widgetUrl = new URL("widget", src).href;

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

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "bansou-qa-frame";
      frame.title = "伴走支援 Q&A";
      frame.src = widgetUrl;
      frame.setAttribute("referrerpolicy", "no-referrer");
      var f = frame.style;
      f.position = "fixed"; f.right = "20px"; f.bottom = "76px"; f.zIndex = "2147483000";
      f.width = "380px"; f.maxWidth = "calc(100vw - 40px)"; f.height = "560px";
      f.maxHeight = "calc(100vh - 100px)"; f.border = "1px solid #d0d7de"; f.borderRadius = "10px";
      f.background = "#fff"; f.boxShadow = "0 8px 28px rgba(0,0,0,.25)";
      document.body.appendChild(frame);
    } else {
      frame.style.display = "block";
    }
    button.textContent = "閉じる";
    button.setAttribute("aria-expanded", "true");
  }

  function close() {
    if (frame) { frame.style.display = "none"; }
    button.textContent = "質問する";
    button.setAttribute("aria-expanded", "false");
  }

  button.addEventListener("click", function () {
    if (frame && frame.style.display !== "none") { close(); } else { open(); }
  });

  function mount() { document.body.appendChild(button); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
