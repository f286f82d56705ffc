"""Every console URL × every role × GET and POST, over HTTP with Django's test client.

The expectations are written out here, apart from ``outreach.roles``, from the issue's words:
owners do everything; managers run campaigns, contacts, lists and every conversation; agents
work conversations and read and edit contacts (no campaigns, keys, lines or webhooks);
viewers read what agents read and change nothing but their own session and zone. A console
URL missing from this table or from ``outreach.roles.RULES`` fails
``test_every_console_url_has_a_rule_and_an_expectation``.

Each cell: ``V``/``A``/``M``/``O`` is the least role (viewer < agent < manager < owner) that
may; ``-`` means the URL does not take the method (405 for everyone).
"""
from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from outreach.roles import PUBLIC, PUBLIC_NAMESPACES, RULES
from outreach.services import create_staff_user

pytestmark = pytest.mark.django_db

#: url name: least role for GET, least role for POST.
EXPECTED_TABLE = """
console:home                     V -
console:switch-account           - V
console:settings                 V V
console:api-keys                 O O
console:link-tracking            O O
console:retention                O O
console:revoke-key               - O
console:people                   O O
console:person-role              - O
console:person-deactivate        - O
console:person-reactivate        - O
console:invitation-withdraw      - O
console:audit                    O -
contacts:list                    V -
contacts:export                  V -
contacts:new                     A A
contacts:detail                  V A
contacts:opt                     - A
contacts:delete                  - M
contacts:bulk                    - M
contacts:save-as-list            - M
contacts:lists                   V M
contacts:list-detail             V M
contacts:list-delete             - M
contacts:list-add                - M
contacts:list-remove             - M
contacts:import                  M M
contacts:import-map              M M
contacts:import-job              M -
contacts:import-save-as-list     - M
contacts:import-rejected         M -
contacts:keywords                M M
messaging:inbox                  V -
messaging:conversation-list      V -
messaging:compose                A A
messaging:thread                 V -
messaging:thread-messages        V -
messaging:thread-live            V -
messaging:reply                  - A
messaging:cancel-scheduled       - A
messaging:react                  - A
messaging:retry                  - A
messaging:simulate               - A
messaging:rename-group           - A
messaging:inbox-settings         O O
messaging:log                    V -
messaging:message                V -
messaging:dead-letters           M -
messaging:dead-letter-action     - M
messaging:lines                  M -
messaging:line-new               O O
messaging:line-edit              O O
messaging:line-active            - O
messaging:line-bluebubbles       O O
messaging:line-bluebubbles-test  - O
inbox:labels                     V M
inbox:label                      - M
inbox:label-delete               - M
inbox:canned                     V M
inbox:canned-reply               - M
inbox:canned-delete              - M
inbox:assignment                   M M
inbox:availability               A A
inbox:assign                     - A
inbox:close                      - A
inbox:reopen                     - A
inbox:snooze                     - A
inbox:set-labels                 - A
inbox:note                       - A
inbox:bulk                       - A
inbox:counts                     V -
inbox:notify                     V -
campaigns:list                   M M
campaigns:new                    M M
campaigns:preview                - M
campaigns:bulk-jobs              M -
campaigns:bulk-new               M M
campaigns:bulk-job               M -
campaigns:detail                 M -
campaigns:edit                   M M
campaigns:progress               M -
campaigns:action                 - M
campaigns:clone                  - M
campaigns:test-send              - M
campaigns:resend                 - M
campaigns:campaign-export        - M
campaigns:exports                M M
campaigns:export                 M -
campaigns:export-download        M -
campaigns:record                 - M
webhooks:endpoints               O O
webhooks:callbacks               O -
webhooks:replay-callbacks        - O
webhooks:rotate-account-secret   - O
webhooks:endpoint                O O
webhooks:rotate                  - O
webhooks:toggle                  - O
webhooks:test                    - O
webhooks:delete                  - O
webhooks:replay-failed           - O
webhooks:delivery                O -
webhooks:replay                  - O
"""
RANK = {"V": 0, "A": 1, "M": 2, "O": 3}
ROLES = {"viewer": 0, "agent": 1, "manager": 2, "owner": 3}
EXPECTED = {
    name: {"GET": get, "POST": post}
    for name, get, post in (line.split() for line in EXPECTED_TABLE.strip().splitlines())
}
#: A value for each converter: no such object, so an admitted request reaches the view and
#: gets its 404 (or its form), never an action on real data.
PLACEHOLDER = {"int": 999999, "uuid": uuid.UUID(int=1), "string": "nothing", "slug": "nothing", "path": "nothing"}


def console_urls() -> dict[str, dict]:
    """Every non-API URL name outside Django's admin and ``PUBLIC``, with kwargs to reverse it."""
    found: dict[str, dict] = {}

    def walk(patterns, namespace: str, converters: dict, route: str):
        for p in patterns:
            here = {**converters, **p.pattern.converters}
            if isinstance(p, URLResolver):
                if p.namespace in PUBLIC_NAMESPACES:
                    continue
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, ns, here, route + str(p.pattern))
            elif isinstance(p, URLPattern):
                # The API (under /api/, or a DRF view anywhere) is judged by key scopes.
                if (route + str(p.pattern)).startswith("api/") or hasattr(p.callback, "cls") or not p.name:
                    continue
                name = f"{namespace}:{p.name}" if namespace else p.name
                if name in PUBLIC:
                    continue
                names = {k: type(c).__name__.removesuffix("Converter").lower() for k, c in here.items()}
                found[name] = {k: PLACEHOLDER[kind] for k, kind in names.items() if k not in p.default_args}

    walk(get_resolver().url_patterns, "", {}, "")
    return found


URLS = console_urls()


def test_every_console_url_has_a_rule_and_an_expectation():
    assert set(URLS) == set(RULES), "outreach.roles.RULES and the URLconf differ"
    assert set(URLS) == set(EXPECTED), "this test's table and the URLconf differ"


def test_the_role_table_says_what_this_test_expects():
    letter = {None: "-", "viewer": "V", "agent": "A", "manager": "M", "owner": "O"}
    assert {n: {"GET": letter[r.read], "POST": letter[r.write]} for n, r in RULES.items()} == EXPECTED


@pytest.fixture(params=list(ROLES))
def person(request, account):
    user = create_staff_user(account, f"p-{request.param}", "pw-for-tests-123", request.param)
    client = Client()
    client.force_login(user)
    client.role = request.param
    return client


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_role_matrix(person, name):
    url = reverse(name, kwargs=URLS[name])
    for method in ("GET", "POST"):
        least = EXPECTED[name][method]
        response = getattr(person, method.lower())(url)
        where = f"{person.role} {method} {url}"
        if least == "-":
            assert response.status_code == 405, where
        elif ROLES[person.role] >= RANK[least]:
            assert response.status_code not in (403, 405), where
            assert not response.get("Location", "").startswith("/login/"), where
        else:
            assert response.status_code == 403, where
            assert b'data-testid="forbidden"' in response.content, where


def test_a_viewer_changes_nothing_but_their_own_session_and_zone():
    writable = {name for name, row in EXPECTED.items() if row["POST"] == "V"}
    assert writable == {"console:switch-account", "console:settings"}


def test_a_refusal_to_htmx_is_a_fragment(account):
    user = create_staff_user(account, "ann", "pw-for-tests-123", "agent")
    client = Client()
    client.force_login(user)
    response = client.post(reverse("campaigns:preview"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert b"<html" not in response.content and b'data-testid="forbidden"' in response.content
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#main", "afterbegin")
    page = client.get(reverse("campaigns:list"))
    assert page.status_code == 403 and b"<html" in page.content and b"(agent) may not open this page" in page.content


def test_a_console_url_without_a_rule_is_refused_even_to_owners(account, settings):
    settings.ROOT_URLCONF = "outreach.tests.urls_unruled"
    user = create_staff_user(account, "olive", "pw-for-tests-123", "owner")
    client = Client()
    client.force_login(user)
    assert client.get("/contacts/").status_code == 200
    response = client.get("/forgotten/")
    assert response.status_code == 403 and b"no rule" in response.content


def test_the_menu_shows_only_what_the_role_may_open(account):
    user = create_staff_user(account, "ann", "pw-for-tests-123", "agent")
    client = Client()
    client.force_login(user)
    labels = [item["label"] for item in client.get("/").context["nav_items"]]
    assert "Inbox" in labels and "Contacts" in labels
    assert not {"Campaigns", "Webhooks", "API keys", "People", "Audit log", "Lines"} & set(labels)


def test_pages_show_only_the_controls_the_role_may_use(account):
    from contacts.tests.factories import ContactFactory
    from messaging.tests import console_data as d

    contact = ContactFactory(account=account, first_name="Ann")
    conv = d.conversation(account, d.line(account), "+15125550111", contact_row=contact)
    shown = {}
    for role in ROLES:
        user = create_staff_user(account, f"u-{role}", "pw-for-tests-123", role)
        client = Client()
        client.force_login(user)
        detail = client.get(f"/contacts/{contact.pk}/").content.decode()
        thread = client.get(f"/messages/inbox/{conv.pk}/").content.decode()
        shown[role] = {
            "opt": 'data-testid="opt-toggle"' in detail, "delete": ">Delete</button>" in detail,
            "edit": "<h2>Edit</h2>" in detail, "reply": 'id="reply-form"' in thread,
            "new": 'data-testid="compose"' in thread,
        }
    assert shown["viewer"] == dict.fromkeys(shown["viewer"], False)
    assert shown["agent"] == {"opt": True, "delete": False, "edit": True, "reply": True, "new": True}
    assert shown["manager"] == shown["owner"] == dict.fromkeys(shown["owner"], True)
