// Behaviour every console page shares, declared in the markup with data- attributes so
// the pages carry no inline script, handler or style (the Content-Security-Policy allows
// only this site's script files; docs/security.md).
//
//   data-confirm="Question?"    on a form (submit) or a button (click): ask first
//   data-nav-toggle             the phone-width menu button
//   data-autosubmit             a <select> that submits its form when changed
//   data-copy="element id"      a button that copies that input's value
//   data-check-all="selector"   a checkbox that (un)checks every box matching selector
//   data-reset-on-success       an htmx form that clears itself after a successful request
//   data-width="42"             a bar drawn at that percentage of its track
//   [aria-invalid=true]         the first such field of the page gets focus on load, and
//                               of a form htmx swaps back
//   <datalist data-src="url">   filled from that JSON list of strings the first time an
//                               input using it gets focus (the time-zone names)
(function () {
  "use strict";

  function drawBars(root) {
    var bars = root.querySelectorAll ? root.querySelectorAll("[data-width]") : [];
    Array.prototype.forEach.call(bars, function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      el.style.width = (isNaN(value) ? 0 : Math.max(0, Math.min(100, value))) + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawBars(document);
    // A form sent back with mistakes: start at the first one (Django marks it aria-invalid).
    var invalid = document.querySelector("main [aria-invalid=true]");
    if (invalid) { invalid.focus(); }
  });
  // htmx swaps new markup in: draw its bars too.
  document.addEventListener("htmx:load", function (e) { drawBars(e.detail.elt.parentNode || e.detail.elt); });

  document.addEventListener("submit", function (e) {
    var question = e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });

  document.addEventListener("click", function (e) {
    var el = e.target.closest ? e.target.closest("button, input") : null;
    if (!el) { return; }
    if (el.tagName === "BUTTON" && el.hasAttribute("data-confirm") && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
      return;
    }
    if (el.hasAttribute("data-nav-toggle")) {
      var nav = document.getElementById(el.getAttribute("aria-controls"));
      if (nav) {
        nav.classList.toggle("open");
        el.setAttribute("aria-expanded", nav.classList.contains("open") ? "true" : "false");
      }
    }
    if (el.hasAttribute("data-copy")) {
      var source = document.getElementById(el.getAttribute("data-copy"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value).then(function () { el.textContent = "Copied"; });
      }
    }
    if (el.hasAttribute("data-check-all")) {
      document.querySelectorAll(el.getAttribute("data-check-all")).forEach(function (box) { box.checked = el.checked; });
    }
  });

  document.addEventListener("focusin", function (e) {
    var list = e.target.list;
    if (!list || !list.hasAttribute("data-src") || list.hasAttribute("data-loaded")) { return; }
    list.setAttribute("data-loaded", "");
    fetch(list.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (names) {
        var fragment = document.createDocumentFragment();
        names.forEach(function (name) { var o = document.createElement("option"); o.value = name; fragment.appendChild(o); });
        list.appendChild(fragment);
      })
      .catch(function () { list.removeAttribute("data-loaded"); });
  });

  document.addEventListener("change", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-autosubmit") && e.target.form) { e.target.form.submit(); }
  });

  // A form swapped back with mistakes: focus its first invalid field, as on a page load.
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    var invalid = target && target.isConnected ? target.querySelector("[aria-invalid=true]") : null;
    if (!invalid && target && target.id) {
      var again = document.getElementById(target.id);
      invalid = again && again.querySelector("[aria-invalid=true]");
    }
    if (invalid) { invalid.focus(); }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form && form.hasAttribute && form.hasAttribute("data-reset-on-success")) { form.reset(); }
  });
})();
