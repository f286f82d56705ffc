// A browser notification for each new customer reply in a conversation assigned to me.
// Polls inbox:notify (the URL in data-inbox-notify) with the cursor of its previous answer;
// the first answer only sets the cursor, so opening a page does not replay old replies.
// The button asks for permission; nothing is shown until it is granted.
(function () {
  "use strict";
  const root = document.querySelector("[data-inbox-notify]");
  if (!root) return;
  const button = root.querySelector("[data-notify-permission]");
  const every = parseInt(root.dataset.pollMs || "10000", 10);
  const supported = "Notification" in window;
  let cursor = "";

  function sync() {
    if (button) button.hidden = !supported || Notification.permission !== "default";
  }

  function show(reply) {
    const note = new Notification("New reply from " + reply.from, {
      body: reply.text, tag: "conversation-" + reply.conversation_id,
    });
    note.onclick = function () {
      window.focus();
      window.location.href = reply.url;
    };
  }

  async function poll() {
    try {
      const response = await fetch(root.dataset.inboxNotify + "?after=" + encodeURIComponent(cursor), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (response.ok) {
        const data = await response.json();
        if (cursor !== "" && supported && Notification.permission === "granted") data.replies.forEach(show);
        cursor = data.cursor;
      }
    } catch (error) {
      // Offline or restarting: the next poll tries again from the same cursor.
    }
    window.setTimeout(poll, every);
  }

  if (button && supported) {
    button.addEventListener("click", function () {
      Notification.requestPermission().then(sync);
    });
  }
  sync();
  poll();
})();
