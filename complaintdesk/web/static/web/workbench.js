/* ComplaintDesk workbench: SLA countdowns, keyboard shortcuts, reply helpers. No framework. */
(function () {
  "use strict";

  // The badge's wording, as the server writes it (web.templatetags.workbench.sla_words): "%(d)d天%(h)d小时" …
  var words = {};
  try { words = JSON.parse(document.getElementById("sla-words").textContent); } catch (e) { words = {}; }

  function fill(pattern, values) {
    return (pattern || "").replace(/%\((\w+)\)[ds]/g, function (all, name) { return values[name]; });
  }

  function duration(seconds) {
    seconds = Math.floor(Math.abs(seconds));
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600), m = Math.floor((seconds % 3600) / 60);
    if (d) return fill(words.dh, {d: d, h: h});
    if (h) return fill(words.hm, {h: h, m: m});
    return fill(words.m, {m: m});
  }

  // At risk: less than 20 % of the window left (complaints.selectors.AT_RISK_SHARE).
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-due]").forEach(function (el) {
      if (el.dataset.paused) return;
      var due = Date.parse(el.dataset.due), start = el.dataset.start ? Date.parse(el.dataset.start) : NaN;
      var left = (due - now) / 1000, state = "ok";
      if (left < 0) state = "breached";
      else if (!isNaN(start) && due > start && (due - now) < (due - start) * 0.2) state = "at_risk";
      el.className = "sla sla-" + state;
      if (!words.left) return;  // no wording given: keep the server's text
      el.textContent = fill(left < 0 ? words.over : words.left, {t: duration(left)});
    });
  }
  tick();
  setInterval(tick, 30000);

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.closest && event.target.closest("form[data-ctrl-enter]");
      if (form) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/") {
      var search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (event.key === "?") {
      var help = document.getElementById("shortcuts");
      if (help && help.showModal) help.showModal();
    } else if (event.key === "r") {
      var reply = document.querySelector("[data-reply]");
      if (reply) { event.preventDefault(); reply.focus(); }
    } else {
      var link = document.querySelector('[data-key="' + CSS.escape(event.key) + '"]');
      if (link && link.href) { event.preventDefault(); window.location.href = link.href; }
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches("[data-use-script]")) {
      var text = target.closest(".script").querySelector(".script-text").textContent;
      var reply = document.querySelector("[data-reply]");
      if (reply) { reply.value = reply.value ? reply.value.replace(/\s+$/, "") + "\n" + text : text; reply.focus(); }
    } else if (target.matches("[data-apply-rewrite]")) {
      var rewrite = target.closest(".findings").querySelector(".rewrite").textContent;
      var draft = document.querySelector("[data-reply]");
      if (draft) { draft.value = rewrite; draft.focus(); }
    } else if (target.matches("[data-fill-name]")) {
      var name = document.querySelector('input[name="name"]');
      if (name) { name.value = target.dataset.fillName; name.focus(); }
    } else if (target.matches("[data-select-all]")) {
      document.querySelectorAll('input[name="numbers"]').forEach(function (box) { box.checked = target.checked; });
    }
  });
})();

/* A refused HTMX form answers 422 (or 409) with the panel and its messages: show it in place (HTMX
   leaves 4xx answers unswapped by default, which hid the messages). */
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr && event.detail.xhr.status;
  if (status === 422 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

/* A link to a panel that loads after the page (a follow-up notice opens …/#feedback): the browser jumps to
   the empty panel before it and the panels above it are filled, and the page grows under it. Bring the
   panel back into view as the panels settle, until the reader scrolls or types themselves. */
(function () {
  var id = decodeURIComponent(window.location.hash.slice(1));
  if (!id) { return; }
  var reading = false;
  ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (name) {
    window.addEventListener(name, function () { reading = true; }, { once: true, passive: true });
  });
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.getElementById(id);
    if (target && !reading) { target.scrollIntoView({ block: "start" }); }
  });
})();
