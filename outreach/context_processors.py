from django.urls import NoReverseMatch, resolve, reverse

from .roles import PUBLIC, allowed

#: The console's navigation: (label, url name). Entries whose page does not exist yet
#: are left out, so every app adds its page here once and the menu follows.
NAVIGATION = [
    ("Dashboard", "console:home"),
    ("Inbox", "messaging:inbox"),
    ("Canned replies", "inbox:canned"),
    ("Labels", "inbox:labels"),
    ("Assignment", "inbox:assignment"),
    ("Contacts", "contacts:list"),
    ("Lists", "contacts:lists"),
    ("Campaigns", "campaigns:list"),
    ("Bulk jobs", "campaigns:bulk-jobs"),
    ("Message log", "messaging:log"),
    ("Dead letters", "messaging:dead-letters"),
    ("Lines", "messaging:lines"),
    ("Webhooks", "webhooks:endpoints"),
    ("API keys", "console:api-keys"),
    ("People", "console:people"),
    ("Audit log", "console:audit"),
    ("Settings", "console:settings"),
    ("API docs", "api-docs"),
]


def _nav(request):
    """The entries the viewer's role may open (``outreach.roles``)."""
    items = []
    role = request.membership.role
    for label, name in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if name not in PUBLIC and not allowed(role, resolve(url).view_name):
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url) and (url != "/" or request.path == "/")})
    # Nested urls (/contacts/ and /contacts/lists/): only the closest entry is the current one.
    active = [i for i in items if i["active"]]
    for item in active:
        item["active"] = item["url"] == max((i["url"] for i in active), key=len)
    return items


def console(request):
    if request.path.startswith("/api/"):
        return {}
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        "nav_items": _nav(request) if membership else [],
        "current_account": getattr(request, "account", None),
        "memberships": (
            user.memberships.filter(deactivated_at__isnull=True)
            .select_related("account").order_by("account__name")
            if user is not None and user.is_authenticated
            else []
        ),
    }
