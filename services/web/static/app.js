// dossier: progressive enhancement for the upload form and the status panel (which htmx refreshes).
// Without JavaScript the form posts to /submit and the page refreshes itself.
// Uploads use XMLHttpRequest because fetch() reports no upload progress.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function size(n) {
    if (n < 1024) return n + " B";
    if (n < 1048576) return (n / 1024).toFixed(1) + " KB";
    return (n / 1048576).toFixed(1) + " MB";
  }
  function errorText(xhr) {
    try { var body = JSON.parse(xhr.responseText); if (body && body.message) return body.message; } catch (e) { /* not JSON */ }
    if (xhr.status === 413) return "文件超过大小限制，未保存。";
    return xhr.status ? "上传失败（" + xhr.status + "），请重试。" : "网络中断，上传失败，请重试。";
  }

  // ---- status panel: htmx re-fetches it (templates/_panel.html: hx-get, every 2 s, outerHTML) until the
  // server sends the final panel without its trigger. The documents the unit opened or closed stay so.
  var opened = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "panel") {
      opened = Array.prototype.map.call(e.detail.target.querySelectorAll("details.doc"), function (d) { return d.open; });
    }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!opened || !e.target || e.target.id !== "panel") return;
    e.target.querySelectorAll("details.doc").forEach(function (d, i) { if (i < opened.length) d.open = opened[i]; });
    opened = null;
  });

  // ---- the upload form
  function setupForm(form) {
    var input = form.querySelector("#files");
    var drop = form.querySelector("#drop");
    var queue = form.querySelector("#queue");
    var button = form.querySelector("#submit");
    var campaign = form.querySelector("#campaign");
    var maxBytes = parseInt(form.dataset.maxBytes, 10) || 0;
    var picked = [];   // {file, li, bar, info, msg}

    function showNeeds() {
      form.querySelectorAll("#campaign-docs li").forEach(function (li) {
        li.hidden = li.dataset.campaign !== campaign.value;
      });
    }
    campaign.addEventListener("change", showNeeds);
    showNeeds();

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        var li = el("li");
        var name = el("span", "name", file.name);
        var info = el("span", "info", size(file.size));
        var bar = el("div", "bar"); bar.appendChild(el("span"));
        var msg = el("span", "msg");
        var remove = el("button", "remove", "移除");
        remove.type = "button";
        var item = { file: file, li: li, bar: bar, info: info, msg: msg };
        remove.addEventListener("click", function () {
          picked = picked.filter(function (p) { return p !== item; });
          li.remove();
        });
        li.append(name, info, bar, msg);
        info.appendChild(document.createTextNode(" "));
        info.appendChild(remove);
        if (maxBytes && file.size > maxBytes) {
          li.classList.add("failed");
          msg.textContent = "超过 " + Math.round(maxBytes / 1048576) + " MB 的大小限制，不能上传。请压缩图片或拆分文件。";
        }
        queue.appendChild(li);
        picked.push(item);
      });
    }
    input.addEventListener("change", function () { add(input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); });
    });
    drop.addEventListener("drop", function (e) { if (e.dataTransfer) add(e.dataTransfer.files); });

    // logged in: the session's CSRF token goes with every post (anonymous pages carry none)
    function csrfHeaders(h) {
      if (form.dataset.csrf) h["X-CSRF-Token"] = form.dataset.csrf;
      return h;
    }

    function upload(item, url) {
      return new Promise(function (resolve) {
        var xhr = new XMLHttpRequest();
        var fd = new FormData();
        fd.append("files", item.file, item.file.name);
        xhr.open("POST", url);
        if (form.dataset.csrf) xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
        xhr.upload.onprogress = function (e) {
          if (e.lengthComputable) item.bar.firstChild.style.width = Math.round(100 * e.loaded / e.total) + "%";
        };
        xhr.onload = function () {
          if (xhr.status >= 200 && xhr.status < 300) {
            item.bar.firstChild.style.width = "100%";
            item.li.classList.add("done");
            item.msg.textContent = "已上传，等待识别";
            resolve(true);
          } else {
            item.li.classList.add("failed");
            item.msg.textContent = errorText(xhr);
            resolve(false);
          }
        };
        xhr.onerror = function () { item.li.classList.add("failed"); item.msg.textContent = errorText(xhr); resolve(false); };
        xhr.send(fd);
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var ready = picked.filter(function (p) { return !p.li.classList.contains("failed") && !p.li.classList.contains("done"); });
      var org = form.querySelector("#organisation").value.trim();
      if (!org) { form.querySelector("#organisation").focus(); return; }
      if (!ready.length) { drop.classList.add("over"); setTimeout(function () { drop.classList.remove("over"); }, 600); return; }
      button.disabled = true;
      button.textContent = "正在上传…";
      fetch("/api/submissions", {
        method: "POST", headers: csrfHeaders({ "Content-Type": "application/json" }),
        // the home page is a 自查: read and checked, never submitted (logged-in units submit from /unit)
        body: JSON.stringify({ campaign: campaign.value, organisation: org, self_check: true })
      }).then(function (r) {
        return r.json().then(function (body) { if (!r.ok) throw new Error(body.message || "新建申报失败"); return body; });
      }).then(function (sub) {
        // one file per request: each gets its own progress bar and its own refusal
        return ready.reduce(function (p, item) {
          return p.then(function () { return upload(item, sub.links.files); });
        }, Promise.resolve()).then(function () { return sub; });
      }).then(function (sub) {
        button.textContent = "上传完成";
        var result = document.getElementById("result");
        result.hidden = false;
        result.innerHTML = "";
        var head = el("p", "meta");
        head.append("处理结果会显示在下面。也可保存此链接稍后查看：");
        var a = el("a", null, location.origin + sub.links.page);
        a.href = sub.links.page;
        head.appendChild(a);
        result.appendChild(head);
        var holder = el("div", "panel-holder");
        result.appendChild(holder);
        // the panel comes with its own htmx trigger and keeps itself up to date from here
        htmx.ajax("GET", sub.links.page + "/panel", { target: holder, swap: "innerHTML" });
        result.scrollIntoView({ behavior: "smooth", block: "start" });
      }).catch(function (err) {
        button.disabled = false;
        button.textContent = "上传并自查";
        var p = form.querySelector(".alert.error") || el("p", "alert error");
        p.textContent = err.message || "上传失败，请重试。";
        form.insertBefore(p, form.firstChild);
      });
    });
  }

  // ---- the unit's new draft: the recommender and 创建对象 selects hold every campaign's choices in
  // optgroups (data-campaign); the chosen campaign's alone are offered, and a pick is required where
  // that campaign needs one. Without JavaScript all show and the server refuses another campaign's.
  function setupUnitForm(form) {
    var campaign = form.querySelector("select[name=campaign]");
    var selects = Array.prototype.map.call(form.querySelectorAll("select[data-by-campaign]"), function (sel) {
      return { sel: sel, field: sel.closest("label"), groups: Array.prototype.slice.call(sel.querySelectorAll("optgroup")) };
    });
    var helps = form.querySelectorAll("#recommender-help [data-campaign]");
    function offer() {
      var chosen = campaign.value;
      var option = campaign.options[campaign.selectedIndex];
      selects.forEach(function (s) {
        var keep = s.groups.filter(function (g) { return g.dataset.campaign === chosen; });
        var picked = s.sel.value;
        // removed rather than hidden: a hidden option can still be reached with the keyboard
        s.groups.forEach(function (g) { if (g.parentNode) g.remove(); });
        keep.forEach(function (g) { s.sel.appendChild(g); });
        s.sel.value = keep.some(function (g) { return g.querySelector('option[value="' + CSS.escape(picked) + '"]'); }) ? picked : "";
        s.field.hidden = !keep.length;
        s.field.style.display = keep.length ? "" : "none";     // .field's own display outranks [hidden]
        s.sel.required = keep.length > 0 && (s.sel.name !== "recommender" || (option && option.dataset.needsRecommender === "1"));
      });
      // the recommender's help: the chosen campaign's sentence alone
      Array.prototype.forEach.call(helps, function (h) { h.hidden = h.dataset.campaign !== chosen; });
    }
    campaign.addEventListener("change", offer);
    offer();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (form) setupForm(form);
    var unitForm = document.getElementById("new-submission");
    if (unitForm) setupUnitForm(unitForm);
  });
})();
