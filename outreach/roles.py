"""Who may do what in the console: the one table of roles.

Every console URL name maps to a ``Rule``: the least role that may read it (GET, HEAD) and
the least that may act through it (POST and the other methods). Roles rank owner > manager >
agent > viewer (``outreach.choices.ROLE_RANK``), so a rule admits its role and every higher
one. ``RoleMiddleware`` checks it before any console view runs; a console URL missing here is
refused to everyone, owners included, so a new page cannot be forgotten (and
``outreach/tests/test_role_matrix.py`` fails until it has a rule).

What the roles mean (docs/console.md, People and roles):

- owner: everything, and alone people, the audit log, API keys, lines' settings, webhooks;
- manager: campaigns, bulk jobs, contacts, lists and imports, every conversation, dead letters;
- agent: conversations (read, send, reply) and contacts (read and edit); no campaigns, keys,
  lines or webhooks;
- viewer: reads what an agent reads and changes nothing: every POST is refused, except the
  two that change only the person's own session or preferences (``PERSONAL``).
"""
from __future__ import annotations

from typing import NamedTuple

from .choices import ROLE_RANK, Role

OWNER, MANAGER, AGENT, VIEWER = Role.OWNER, Role.MANAGER, Role.AGENT, Role.VIEWER
#: A person's own account switch and time zone: any role, viewers included.
PERSONAL = VIEWER
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Rule(NamedTuple):
    #: The least role that may GET the URL; None: it has no page (GET is 405).
    read: str | None
    #: The least role that may POST to it; None: it takes no action (POST is 405).
    write: str | None = None


def page(read: str, write: str | None = None) -> Rule:
    return Rule(read, write)


def action(write: str) -> Rule:
    return Rule(None, write)


RULES: dict[str, Rule] = {
    # The core.
    "console:home": page(VIEWER),
    "console:switch-account": action(PERSONAL),
    "console:settings": page(VIEWER, PERSONAL),
    "console:api-keys": page(OWNER, OWNER),
    "console:link-tracking": page(OWNER, OWNER),
    "console:retention": page(OWNER, OWNER),
    "console:revoke-key": action(OWNER),
    "console:people": page(OWNER, OWNER),
    "console:person-role": action(OWNER),
    "console:person-deactivate": action(OWNER),
    "console:person-reactivate": action(OWNER),
    "console:invitation-withdraw": action(OWNER),
    "console:audit": page(OWNER),
    # Contacts: agents read and edit them; lists, imports, bulk changes and deletes are
    # managers'.
    "contacts:list": page(VIEWER),
    "contacts:export": page(VIEWER),
    "contacts:new": page(AGENT, AGENT),
    "contacts:detail": page(VIEWER, AGENT),
    "contacts:opt": action(AGENT),
    "contacts:delete": action(MANAGER),
    "contacts:bulk": action(MANAGER),
    "contacts:save-as-list": action(MANAGER),
    "contacts:lists": page(VIEWER, MANAGER),
    "contacts:list-detail": page(VIEWER, MANAGER),
    "contacts:list-delete": action(MANAGER),
    "contacts:list-add": action(MANAGER),
    "contacts:list-remove": action(MANAGER),
    "contacts:import": page(MANAGER, MANAGER),
    "contacts:import-map": page(MANAGER, MANAGER),
    "contacts:import-job": page(MANAGER),
    "contacts:import-save-as-list": action(MANAGER),
    "contacts:import-rejected": page(MANAGER),
    "contacts:keywords": page(MANAGER, MANAGER),
    # Conversations and messages.
    "messaging:inbox": page(VIEWER),
    "messaging:conversation-list": page(VIEWER),
    "messaging:compose": page(AGENT, AGENT),
    "messaging:thread": page(VIEWER),
    "messaging:thread-messages": page(VIEWER),
    "messaging:thread-live": page(VIEWER),
    "messaging:reply": action(AGENT),
    "messaging:cancel-scheduled": action(AGENT),
    "messaging:react": action(AGENT),
    # A failed bubble's Retry: whoever may send in the thread (the Dead letters page is managers').
    "messaging:retry": action(AGENT),
    "messaging:simulate": action(AGENT),
    "messaging:rename-group": action(AGENT),
    "messaging:inbox-settings": page(OWNER, OWNER),
    "messaging:log": page(VIEWER),
    "messaging:message": page(VIEWER),
    "messaging:dead-letters": page(MANAGER),
    "messaging:dead-letter-action": action(MANAGER),
    "messaging:lines": page(MANAGER),
    "messaging:line-new": page(OWNER, OWNER),
    "messaging:line-edit": page(OWNER, OWNER),
    "messaging:line-active": action(OWNER),
    "messaging:line-bluebubbles": page(OWNER, OWNER),
    "messaging:line-bluebubbles-test": action(OWNER),
    # The team inbox: everyone reads labels and canned replies, managers change them and
    # the assignment rule; a person who works conversations sets their own availability.
    "inbox:labels": page(VIEWER, MANAGER),
    "inbox:label": action(MANAGER),
    "inbox:label-delete": action(MANAGER),
    "inbox:canned": page(VIEWER, MANAGER),
    "inbox:canned-reply": action(MANAGER),
    "inbox:canned-delete": action(MANAGER),
    "inbox:assignment": page(MANAGER, MANAGER),
    "inbox:availability": page(AGENT, AGENT),
    # A conversation's work: agents act on their own and unassigned ones (inbox.policy
    # refuses the rest), managers and owners on any.
    "inbox:assign": action(AGENT),
    "inbox:close": action(AGENT),
    "inbox:reopen": action(AGENT),
    "inbox:snooze": action(AGENT),
    "inbox:set-labels": action(AGENT),
    "inbox:note": action(AGENT),
    "inbox:bulk": action(AGENT),
    # The sidebar's unread counts and my new replies (for a browser notification): reads.
    "inbox:counts": page(VIEWER),
    "inbox:notify": page(VIEWER),
    # Campaigns and bulk jobs: managers.
    "campaigns:list": page(MANAGER, MANAGER),
    "campaigns:new": page(MANAGER, MANAGER),
    "campaigns:preview": action(MANAGER),
    "campaigns:bulk-jobs": page(MANAGER),
    "campaigns:bulk-new": page(MANAGER, MANAGER),
    "campaigns:bulk-job": page(MANAGER),
    "campaigns:detail": page(MANAGER),
    "campaigns:edit": page(MANAGER, MANAGER),
    "campaigns:progress": page(MANAGER),
    "campaigns:action": action(MANAGER),
    "campaigns:clone": action(MANAGER),
    "campaigns:test-send": action(MANAGER),
    "campaigns:resend": action(MANAGER),
    "campaigns:campaign-export": action(MANAGER),
    "campaigns:exports": page(MANAGER, MANAGER),
    "campaigns:export": page(MANAGER),
    "campaigns:export-download": page(MANAGER),
    "campaigns:record": action(MANAGER),
    # Webhooks: owners.
    "webhooks:endpoints": page(OWNER, OWNER),
    "webhooks:callbacks": page(OWNER),
    "webhooks:replay-callbacks": action(OWNER),
    "webhooks:rotate-account-secret": action(OWNER),
    "webhooks:endpoint": page(OWNER, OWNER),
    "webhooks:rotate": action(OWNER),
    "webhooks:toggle": action(OWNER),
    "webhooks:test": action(OWNER),
    "webhooks:delete": action(OWNER),
    "webhooks:replay-failed": action(OWNER),
    "webhooks:delivery": page(OWNER),
    "webhooks:replay": action(OWNER),
}

#: Non-API URLs outside the console's roles: the login and password pages, an invitation's
#: link, a campaign's tracked link (``/l/<code>``), the time-zone list, providers' callbacks and files (each checks its own token),
#: probes, the API's documentation. The API itself (DRF views) is judged by key scopes, and
#: Django's admin by ``is_staff``.
PUBLIC: frozenset[str] = frozenset({
    "login", "logout",
    "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
    "accept-invite", "link",
    "console:time-zones",
    "messaging:provider-callback", "messaging:bluebubbles-attachment",
    "healthz", "readyz", "metrics", "schema", "api-docs", "api-redoc",
})
PUBLIC_NAMESPACES = frozenset({"admin"})


def needed_role(view_name: str, method: str) -> str | None:
    """The least role for ``method`` on ``view_name``; None when no role may (default deny
    for unknown names, 405 for a method the URL does not take: ``allowed`` tells them apart)."""
    rule = RULES.get(view_name)
    if rule is None:
        return None
    return rule.read if method in SAFE_METHODS else rule.write


def allowed(role: str, view_name: str, method: str = "GET") -> bool:
    needed = needed_role(view_name, method)
    return needed is not None and ROLE_RANK[role] >= ROLE_RANK[needed]
