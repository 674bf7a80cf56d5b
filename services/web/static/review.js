// The reviewer's desk: keyboard shortcuts and the 考评分 total, no build step.
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
  // The lease on a claimed task lapses unless renewed: renew it while the reviewer is at work
  // on this page; someone who has walked away lets it lapse, so the task goes back to the queue.
  var lease = document.getElementById("lease");
  if (lease && window.fetch) {
    var every = (parseInt(lease.dataset.renewEvery, 10) || 300) * 1000;
    var active = Date.now();
    ["keydown", "input", "mousemove", "scroll", "click"].forEach(function (ev) {
      document.addEventListener(ev, function () { active = Date.now(); }, { passive: true });
    });
    var hm = function (iso) {
      return new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false,
                                                         timeZone: "Asia/Shanghai" });
    };
    var timer = setInterval(function () {
      if (Date.now() - active > 3 * every) return;
      fetch("/api/review/tasks/" + encodeURIComponent(lease.dataset.task) + "/renew", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": lease.dataset.csrf }
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (t) {
          lease.querySelector("time").textContent = hm(t.lease_expires_at);
          lease.dataset.renewed = String((parseInt(lease.dataset.renewed || "0", 10)) + 1);
        })
        .catch(function () {
          clearInterval(timer);
          lease.classList.add("error");
          lease.querySelector(".state").textContent = "续期失败：任务可能已超时收回或被重新分派，请返回任务列表";
        });
    }, every);
  }
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
// Pages that follow live figures (/ops, packet builds) refresh their main part in place every few
// seconds: the place on the page and what is typed stay, and no meta refresh moves people on.
(function () {
  "use strict";
  var tag = document.querySelector("meta[name=dossier-refresh]");
  var main = document.querySelector("main");
  if (!tag || !main || !window.fetch || !window.DOMParser) return;
  var every = (parseInt(tag.content, 10) || 15) * 1000;
  setInterval(function () {
    var active = document.activeElement;
    if (active && main.contains(active) && /INPUT|TEXTAREA|SELECT/.test(active.tagName)) return;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
        if (fresh) main.innerHTML = fresh.innerHTML;
      }).catch(function () { /* the next tick tries again */ });
  }, every);
})();
