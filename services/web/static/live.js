// The pages' live parts refresh themselves with htmx (hx-trigger "every …s"); those marked data-live are
// held back while the tab is hidden (their "visibilitychange from:document" trigger catches up on return)
// and while someone types inside them, so a swap never takes what is being typed.
// Why not htmx's own filter, every 15s[document.visibilityState=='visible']: a filter is compiled with
// Function(), which the CSP (script-src 'self') forbids and htmx.config.allowEval=false turns off; htmx
// then lets every event through, so the filter would silently do nothing.
(function () {
  "use strict";
  document.addEventListener("htmx:confirm", function (e) {
    var part = e.detail.elt;
    if (!part || !part.hasAttribute || !part.hasAttribute("data-live")) return;
    if (document.visibilityState !== "visible") { e.preventDefault(); return; }
    var active = document.activeElement;
    if (active && part.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) e.preventDefault();
  });
})();
