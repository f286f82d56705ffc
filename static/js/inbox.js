// The inbox: keep the thread scrolled to the newest message when it grows (unless the
// reader scrolled up), and let Enter send the reply (Shift+Enter for a new line).
(function () {
  "use strict";
  var scroller = function () { return document.getElementById("thread-scroll"); };
  var stickToBottom = true;

  function atBottom(el) { return el.scrollHeight - el.scrollTop - el.clientHeight < 40; }
  function toBottom() { var el = scroller(); if (el) { el.scrollTop = el.scrollHeight; } }

  document.addEventListener("DOMContentLoaded", toBottom);
  document.addEventListener("htmx:beforeSwap", function (e) {
    var el = scroller();
    if (el && e.detail.target && e.detail.target.id === "thread-messages") { stickToBottom = atBottom(el); }
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "thread-messages" && stickToBottom) { toBottom(); }
  });
  // A poll's answer is merged into the thread (console.js): the same rule.
  document.addEventListener("poll:merging", function (e) {
    var el = scroller();
    if (el && e.target.id === "thread-messages") { stickToBottom = atBottom(el); }
  });
  document.addEventListener("poll:merged", function (e) {
    if (e.target.id === "thread-messages" && stickToBottom) { toBottom(); }
  });
  // The server says "thread-sent" after our own reply: always show it.
  document.addEventListener("thread-sent", function () { stickToBottom = true; setTimeout(toBottom, 0); });

  // "Reply" on a message: the next send answers it inline (Cancel forgets it).
  document.addEventListener("click", function (e) {
    var pick = e.target.closest && e.target.closest("[data-reply-to]");
    var drop = e.target.closest && e.target.closest("[data-reply-cancel]");
    var field = document.getElementById("id_reply_to"), note = document.getElementById("replying-to");
    if (!field || !note || !(pick || drop)) { return; }
    field.value = pick ? pick.dataset.replyTo : "";
    note.hidden = !pick;
    if (pick) {
      note.querySelector("[data-reply-text]").textContent = pick.dataset.replyText || "an attachment";
      document.getElementById("id_content").focus();
    }
  });
  document.addEventListener("thread-sent", function () {
    var field = document.getElementById("id_reply_to"), note = document.getElementById("replying-to");
    if (field && note) { field.value = ""; note.hidden = true; }
  });

  // An internal note (inbox:note answers with the notes partial): say why it was refused,
  // or clear the form and have the thread show it now rather than at the next poll.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!form || !form.matches || !form.matches("[data-note-form]")) { return; }
    var box = document.getElementById("note-error");
    var answer = new DOMParser().parseFromString(e.detail.xhr.responseText || "", "text/html");
    var refused = answer.querySelector("[data-testid=note-error]");
    if (!e.detail.successful || refused) {
      box.textContent = refused ? refused.textContent : "The note was not saved: try again.";
      box.hidden = false;
      return;
    }
    box.hidden = true;
    form.reset();
    stickToBottom = true;
    document.body.dispatchEvent(new CustomEvent("note-added"));
  });

  // The bulk bar shows while conversations are ticked (each row's box is in form#inbox-bulk),
  // and with what the last bulk action did.
  function syncBulk() {
    var box = document.getElementById("bulk-box");
    var said = document.getElementById("inbox-bulk-result");
    if (box) { box.hidden = !document.querySelector("input[form=inbox-bulk][name=ids]:checked") && !(said && said.textContent.trim()); }
  }
  document.addEventListener("DOMContentLoaded", syncBulk);
  document.addEventListener("change", function (e) {
    if (e.target && e.target.matches && e.target.matches("input[form=inbox-bulk]")) { syncBulk(); }
  });
  document.addEventListener("poll:merged", syncBulk);
  document.addEventListener("htmx:afterSwap", syncBulk);

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && t && t.id === "id_content" && t.form && t.form.id === "reply-form") {
      e.preventDefault();
      if (t.value.trim() || (t.form.elements.media_url && t.form.elements.media_url.value)) {
        t.form.requestSubmit();
      }
    }
  });
})();
