// The reviewer's desk: keyboard shortcuts, the 考评分 total and when the lease is renewed, no build step.
// j / k: next / previous field (focus its correction box); a: pass (通过); n: next task.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".field-row"));
  var at = -1;
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
  }
  function focusRow(i) {
    if (!rows.length) return;
    at = (i + rows.length) % rows.length;
    rows.forEach(function (r) { r.classList.remove("focus"); });
    rows[at].classList.add("focus");
    rows[at].scrollIntoView({ block: "nearest" });
    // the same field's box on the original page, where the scan has one
    var key = rows[at].getAttribute("data-key");
    document.querySelectorAll(".page-frame .box").forEach(function (b) {
      b.classList.toggle("focus", b.getAttribute("data-key") === key);
    });
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typing(e)) { e.target.blur(); return; }
    if (typing(e)) return;
    if (e.key === "j") { focusRow(at + 1); e.preventDefault(); }
    else if (e.key === "k") { focusRow(at - 1); e.preventDefault(); }
    else if (e.key === "e" && at >= 0) {
      var box = rows[at].querySelector("input[name=value]");
      if (box) { box.focus(); e.preventDefault(); }
    } else if (e.key === "a") {
      var pass = document.querySelector("#decide button[value=pass]");
      if (pass) { pass.click(); e.preventDefault(); }
    } else if (e.key === "n") {
      var next = document.getElementById("next-task") || document.querySelector("#claim-next");
      if (next) { next.tagName === "FORM" ? next.submit() : next.click(); e.preventDefault(); }
    }
  });
  // an error that stops the pass: pointing at it shows its field's box on the original page
  document.querySelectorAll("#blocking li[data-key]").forEach(function (li) {
    li.addEventListener("mouseenter", function () {
      var key = li.getAttribute("data-key");
      document.querySelectorAll(".page-frame .box").forEach(function (b) {
        b.classList.toggle("focus", b.getAttribute("data-key") === key);
      });
    });
  });
  // The lease on a claimed task lapses unless renewed: htmx renews it (templates/review/_lease.html)
  // while the reviewer is at work on this page; someone who has walked away lets it lapse, so the task
  // goes back to the queue. A 续期 pressed by hand always goes.
  var active = Date.now();
  ["keydown", "input", "mousemove", "scroll", "click"].forEach(function (ev) {
    document.addEventListener(ev, function () { active = Date.now(); }, { passive: true });
  });
  document.addEventListener("htmx:confirm", function (e) {
    var lease = e.detail.elt;
    if (!lease || lease.id !== "lease" || e.detail.triggeringEvent) return;
    var every = (parseInt(lease.getAttribute("data-renew-every"), 10) || 300) * 1000;
    if (Date.now() - active > 3 * every) e.preventDefault();
  });
  // a refusal comes back as the widget with its reason (409); anything else that fails (the network,
  // a lapsed login) is said here, and the renewals stop: the widget is replaced by a copy without htmx
  function leaseFailed(e) {
    var lease = e.detail.elt;
    if (!lease || lease.id !== "lease" || !document.body.contains(lease)) return;
    var dead = lease.cloneNode(true);
    ["hx-post", "hx-trigger"].forEach(function (a) { dead.removeAttribute(a); });
    dead.classList.add("error");
    var state = dead.querySelector(".state");
    state.setAttribute("role", "alert");
    state.textContent = "续期失败：任务可能已超时收回或被重新分派，请返回任务列表";
    lease.replaceWith(dead);
  }
  document.addEventListener("htmx:responseError", leaseFailed);
  document.addEventListener("htmx:sendError", leaseFailed);
  var scores = document.getElementById("scores");
  if (scores) {
    scores.addEventListener("input", function () {
      var sum = 0, bad = false;
      scores.querySelectorAll("input[data-max]").forEach(function (i) {
        var v = parseFloat(i.value); var max = parseFloat(i.dataset.max);
        var neg = !isNaN(v) && v < 0, over = !isNaN(v) && v > max;
        i.setCustomValidity(neg ? "考评分不能为负数" : over ? "考评分不能超过该项分值 " + max + " 分" : "");
        over = over || neg;
        bad = bad || over;
        if (!isNaN(v)) sum += v;
      });
      document.getElementById("score-total").textContent = String(sum);
    });
  }
})();
// The decision form: a return or a rejection needs its reasons; say so in red beside the box
// before the page is sent, rather than after a reload at the top of the page.
(function () {
  "use strict";
  var form = document.getElementById("decide");
  if (!form) return;
  var clicked = null;
  form.querySelectorAll("button[name=decision]").forEach(function (b) {
    b.addEventListener("click", function () { clicked = b.value; });
  });
  form.addEventListener("submit", function (e) {
    var box = form.querySelector("textarea[name=reasons]");
    var note = form.querySelector(".field-error[data-for=reasons]");
    var missing = (clicked === "return" || clicked === "reject") && box && !box.value.trim();
    if (note) note.hidden = !missing;
    if (box) box.setAttribute("aria-invalid", missing ? "true" : "false");
    if (missing) { e.preventDefault(); box.focus(); }
  });
})();
