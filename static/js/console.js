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
//   data-announce               a live region whose content came with the page: put back just
//                               after load, so screen readers say it ("Started", "Saved")
//   [aria-invalid=true]         the first such field of the page gets focus on load, and
//                               of a form htmx swaps back
//   data-poll                   an htmx-polled region whose answers are merged, not swapped
//                               (below; ids with data-v inside it mark what can change)
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
    // A live region announces changes, not what it held when the page loaded.
    Array.prototype.forEach.call(document.querySelectorAll("[data-announce]"), function (region) {
      var items = Array.prototype.slice.call(region.childNodes);
      items.forEach(function (n) { n.remove(); });
      window.setTimeout(function () { items.forEach(function (n) { region.appendChild(n); }); }, 50);
    });
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

  // Polled regions (data-poll) keep focus, open <details> and typed text: the answer is
  // merged into the region instead of replacing it. Each element with an id and a data-v
  // is replaced only when its data-v changed, put in the answer's order, inserted when new
  // and removed when gone; everything else stays the same node (docs/console.md).
  function counterpart(root, el) {
    var found = el.id ? document.getElementById(el.id) : null;
    return found && root.contains(found) ? found : null;
  }

  // Put node where el stands in the answer: after the counterpart of its nearest keyed
  // previous sibling (other elements may stand between), else before its parent's first
  // keyed child (else last in the parent). An unchanged node already in place is not moved.
  function place(root, fresh, el, node) {
    var prev = el.previousElementSibling;
    while (prev && !(prev.hasAttribute("data-v") && counterpart(root, prev))) { prev = prev.previousElementSibling; }
    if (prev) {
      var anchor = counterpart(root, prev), next = anchor.nextElementSibling;
      while (next && next !== node && !next.hasAttribute("data-v")) { next = next.nextElementSibling; }
      if (next !== node) { anchor.after(node); }
      return true;
    }
    var parent = el.parentElement === fresh ? root : counterpart(root, el.parentElement);
    if (!parent) { return false; }
    var first = parent.firstElementChild;
    while (first && !first.hasAttribute("data-v")) { first = first.nextElementSibling; }
    if (first !== node) {
      if (first) { first.before(node); } else { parent.append(node); }
    }
    return true;
  }

  function merge(root, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.firstElementChild;
    if (!fresh || fresh.id !== root.id) { return; }
    if (fresh.getAttribute("hx-trigger") !== root.getAttribute("hx-trigger")) {
      // Polling starts or stops (a campaign ends): take the region whole, once.
      root.replaceWith(fresh);
      htmx.process(fresh);
      drawBars(fresh);
      return;
    }
    var taken = [], keep = {};
    Array.prototype.forEach.call(fresh.querySelectorAll("[id][data-v]"), function (el) {
      keep[el.id] = true;
      if (taken.some(function (t) { return t.contains(el); })) { return; }
      var old = counterpart(root, el);
      var node = old;
      if (!old || old.getAttribute("data-v") !== el.getAttribute("data-v")) {
        node = el.cloneNode(true);
        taken.push(el);
        var hadFocus = old && old.contains(document.activeElement) ? document.activeElement.id : null;
        if (old) { old.replaceWith(node); }
        htmx.process(node);
        drawBars(node);
        if (hadFocus && document.getElementById(hadFocus)) { document.getElementById(hadFocus).focus(); }
      }
      if (!place(root, fresh, el, node) && !old) { node.remove(); }
    });
    Array.prototype.forEach.call(root.querySelectorAll("[id][data-v]"), function (el) {
      if (!keep[el.id] && el.isConnected) { el.remove(); }
    });
    if (fresh.hasAttribute("hx-vals")) { root.setAttribute("hx-vals", fresh.getAttribute("hx-vals")); }
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var root = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!root || root !== e.detail.target || !root.hasAttribute("data-poll") || e.detail.xhr.status !== 200) { return; }
    e.detail.shouldSwap = false;
    root.dispatchEvent(new CustomEvent("poll:merging", { bubbles: true }));
    merge(root, e.detail.serverResponse);
    var now = document.getElementById(root.id);
    if (now) { now.dispatchEvent(new CustomEvent("poll:merged", { bubbles: true })); }
  });

  // A hidden tab polls one time in ten: idle pages cost the server and the network little.
  var skipped = new WeakMap();
  document.addEventListener("htmx:confirm", function (e) {
    var elt = e.detail.elt;
    if (!elt.hasAttribute || !elt.hasAttribute("data-poll") || e.detail.triggeringEvent) { return; }
    if (!document.hidden) { skipped.set(elt, 0); return; }
    var n = (skipped.get(elt) || 0) + 1;
    skipped.set(elt, n % 10);
    if (n % 10) { e.preventDefault(); }
  });

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form && form.hasAttribute && form.hasAttribute("data-reset-on-success")) { form.reset(); }
  });
})();
