// Canned replies in the reply box: typing "/" then a shortcut's first letters lists the
// account's canned replies that match, each with its text as this contact receives it
// (#canned-replies: shortcut -> text, from the inbox app). Up/Down move, Enter or Tab (or a
// click) puts the text in place of "/shortcut", Escape closes the list.
(function () {
  "use strict";
  var TYPED = /(^|\s)\/([\w.-]*)$/;
  var replies = null, shown = [], current = -1;

  function load() {
    if (replies === null) {
      var data = document.getElementById("canned-replies");
      replies = data ? JSON.parse(data.textContent) : {};
    }
    return replies;
  }
  function field() { return document.getElementById("id_content"); }
  function menu() { return document.getElementById("canned-menu"); }
  function typed(el) { return TYPED.exec(el.value.slice(0, el.selectionStart)); }

  function close() {
    var m = menu();
    shown = []; current = -1;
    if (m) { m.hidden = true; m.textContent = ""; }
  }

  function mark(index) {
    current = index;
    var items = menu().children;
    for (var i = 0; i < items.length; i++) { items[i].setAttribute("aria-selected", i === index ? "true" : "false"); }
    if (items[index]) { items[index].scrollIntoView({ block: "nearest" }); }
  }

  function item(shortcut, text, index) {
    var li = document.createElement("li"), key = document.createElement("span"), preview = document.createElement("span");
    li.id = "canned-" + index; li.setAttribute("role", "option"); li.dataset.shortcut = shortcut;
    li.setAttribute("data-testid", "canned-option");
    key.className = "canned-key"; key.textContent = "/" + shortcut;
    preview.className = "canned-preview"; preview.setAttribute("data-testid", "canned-preview"); preview.textContent = text;
    li.appendChild(key); li.appendChild(preview);
    return li;
  }

  function offer() {
    var el = field(), m = menu(), found = el && m ? typed(el) : null;
    if (!found) { close(); return; }
    var prefix = found[2].toLowerCase(), all = load();
    shown = Object.keys(all).filter(function (k) { return k.toLowerCase().indexOf(prefix) === 0; }).sort();
    if (!shown.length) { close(); return; }
    m.textContent = "";
    shown.forEach(function (k, i) { m.appendChild(item(k, all[k], i)); });
    m.hidden = false;
    mark(0);
  }

  function choose(shortcut) {
    var el = field(), found = typed(el);
    if (!found) { close(); return; }
    var start = el.selectionStart - found[2].length - 1, text = load()[shortcut];
    el.value = el.value.slice(0, start) + text + el.value.slice(el.selectionStart);
    el.selectionStart = el.selectionEnd = start + text.length;
    close();
    el.focus();
  }

  document.addEventListener("input", function (e) { if (e.target && e.target.id === "id_content") { offer(); } });
  document.addEventListener("keydown", function (e) {
    if (!e.target || e.target.id !== "id_content" || !shown.length) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      mark((current + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      // Before inbox.js's Enter-sends (registered later, and told by defaultPrevented).
      e.preventDefault(); e.stopImmediatePropagation();
      choose(shown[current]);
    } else if (e.key === "Escape") {
      e.preventDefault(); close();
    }
  }, true);
  document.addEventListener("mousedown", function (e) {
    var li = e.target.closest && e.target.closest("#canned-menu [data-shortcut]");
    if (li) { e.preventDefault(); choose(li.dataset.shortcut); }
  });
  document.addEventListener("focusout", function (e) { if (e.target && e.target.id === "id_content") { setTimeout(close, 0); } });
  document.addEventListener("thread-sent", close);
})();
