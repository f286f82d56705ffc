"""People in the console: invitations end to end, roles, deactivation, the last owner, and
Django's password reset, with the test client and ``mail.outbox``."""
from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from outreach.models import AuditEntry, Membership
from outreach.services import add_member, create_staff_user

pytestmark = pytest.mark.django_db


def logged_in(account, username: str, role: str) -> Client:
    user = create_staff_user(account, username, "pw-for-tests-123", role)
    user.email = f"{username}@example.com"
    user.save(update_fields=["email"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner(account):
    return logged_in(account, "olive", "owner")


def seat(account, username: str) -> Membership:
    return Membership.objects.get(account=account, user__username=username)


def invite_link(owner, email: str, role: str) -> str:
    response = owner.post("/people/", {"email": email, "role": role})
    assert response.status_code == 302, response.content
    (sent,) = [m for m in mail.outbox if email.lower() in m.to]
    return re.search(r"http://testserver(/invite/\S+/)", sent.body).group(1)


def test_an_invited_person_joins_with_the_role_and_the_link_works_once(owner, account):
    link = invite_link(owner, "Ann@Example.com", "agent")
    assert mail.outbox[0].subject == "You are invited to Alice Co on Outreach"
    assert "olive invited you to Alice Co on Outreach, as agent" in mail.outbox[0].body
    assert b"ann@example.com" in owner.get("/people/").content  # listed as pending

    guest = Client()
    form = guest.get(link)
    assert form.status_code == 200 and b"invited as <strong>agent</strong>" in form.content
    weak = guest.post(link, {"username": "ann", "password1": "123", "password2": "123"})
    assert weak.status_code == 422 and not get_user_model().objects.filter(username="ann").exists()
    joined = guest.post(link, {"username": "ann", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"})
    assert joined.status_code == 302 and joined["Location"] == "/"

    ann = get_user_model().objects.get(username="ann")
    assert ann.email == "ann@example.com" and seat(account, "ann").role == "agent"
    assert guest.get("/messages/inbox/").status_code == 200
    assert guest.get("/campaigns/").status_code == 403
    assert Client().login(username="ann", password="a-long-pass-phrase")

    again = Client().get(link)
    assert again.status_code == 404 and b"already used" in again.content
    actions = list(AuditEntry.objects.filter(account=account).order_by("created_at").values_list("action", "actor_label"))
    assert actions == [("person.invited", "olive"), ("person.joined", "ann")]


def test_an_invitation_expires_and_a_tampered_one_is_refused(owner, settings):
    settings.INVITATION_MAX_AGE_DAYS = 7
    link = invite_link(owner, "bob@example.com", "viewer")
    assert Client().get(link[:-3] + "xx/").status_code == 404
    eight_days = time.time() + 8 * 86400
    with mock.patch("django.core.signing.time.time", return_value=eight_days):
        late = Client().get(link)
    assert late.status_code == 404 and b"expired" in late.content
    assert Client().get(link).status_code == 200


def test_a_withdrawn_invitation_link_says_so_and_another_accounts_is_404(owner, account, other_account):
    link = invite_link(owner, "bob@example.com", "viewer")
    pending = account.invitations.get()
    theirs = other_account.invitations.create(email="eve@example.com", role="owner")
    assert owner.post(f"/people/invitations/{theirs.pk}/withdraw").status_code == 404
    assert owner.post(f"/people/invitations/{pending.pk}/withdraw").status_code == 302
    withdrawn = Client().get(link)
    assert withdrawn.status_code == 404 and b"withdrawn" in withdrawn.content
    assert other_account.invitations.filter(pk=theirs.pk).exists()
    assert AuditEntry.objects.filter(account=account).latest("created_at").action == "person.invitation_withdrawn"


def test_inviting_a_member_again_says_so(owner, account):
    response = owner.post("/people/", {"email": "OLIVE@example.com", "role": "agent"})
    assert response.status_code == 422 and b"already a member of Alice Co" in response.content
    assert not mail.outbox


def test_an_owner_changes_a_role_and_deactivates_and_reactivates(owner, account):
    logged_in(account, "sam", "agent")
    sam = seat(account, "sam")
    assert owner.post(f"/people/{sam.pk}/role", {"role": "manager"}).status_code == 302
    sam.refresh_from_db()
    assert sam.role == "manager"

    sams = Client()
    assert sams.login(username="sam", password="pw-for-tests-123")
    owner.post(f"/people/{sam.pk}/deactivate")
    sam.refresh_from_db()
    assert sam.deactivated_at is not None and not sam.user.is_active
    assert sams.get("/contacts/").status_code in (302, 403)  # the session ends with the login
    assert not Client().login(username="sam", password="pw-for-tests-123")

    owner.post(f"/people/{sam.pk}/reactivate")
    assert Client().login(username="sam", password="pw-for-tests-123")
    actions = list(AuditEntry.objects.filter(account=account, target_type="person")
                   .order_by("created_at").values_list("action", "detail"))
    assert actions == [("person.role_changed", {"from": "agent", "to": "manager"}),
                       ("person.deactivated", {}), ("person.reactivated", {})]


def test_deactivated_in_one_account_still_works_in_another(owner, account, other_account):
    logged_in(account, "sam", "agent")
    add_member(other_account, get_user_model().objects.get(username="sam"), "viewer")
    owner.post(f"/people/{seat(account, 'sam').pk}/deactivate")
    sams = Client()
    assert sams.login(username="sam", password="pw-for-tests-123")
    assert sams.get("/").context["current_account"] == other_account
    switched = sams.post("/account/switch", {"account": str(account.id)})
    assert switched.status_code == 302 and sams.get("/").context["current_account"] == other_account


def test_the_last_owner_can_be_neither_demoted_nor_deactivated(owner, account):
    me = seat(account, "olive")
    demoted = owner.post(f"/people/{me.pk}/role", {"role": "manager"}, follow=True)
    assert b"the last owner of Alice Co" in demoted.content
    owner.post(f"/people/{me.pk}/deactivate")
    me.refresh_from_db()
    assert me.role == "owner" and me.deactivated_at is None

    logged_in(account, "otto", "owner")
    otto = seat(account, "otto")
    owner.post(f"/people/{otto.pk}/deactivate")
    otto.refresh_from_db()
    assert otto.deactivated_at is not None
    # otto is deactivated: olive is the last active owner again.
    owner.post(f"/people/{me.pk}/role", {"role": "agent"})
    me.refresh_from_db()
    assert me.role == "owner"


def test_another_accounts_person_is_404(owner, other_account):
    theirs = create_staff_user(other_account, "bob", "pw-for-tests-123", "owner")
    pk = Membership.objects.get(user=theirs).pk
    for verb, data in [("role", {"role": "viewer"}), ("deactivate", {}), ("reactivate", {})]:
        assert owner.post(f"/people/{pk}/{verb}", data).status_code == 404
    assert Membership.objects.get(user=theirs).role == "owner"
    assert b"bob" not in owner.get("/people/").content


def test_a_person_resets_their_own_password(account):
    create_staff_user(account, "ann", "old-pass-phrase-1", "agent").__class__.objects.filter(
        username="ann").update(email="ann@example.com")
    client = Client()
    assert b'href="/password/reset/"' in client.get("/login/").content
    sent = client.post("/password/reset/", {"email": "ann@example.com"})
    assert sent.status_code == 302 and sent["Location"] == "/password/reset/sent/"
    assert client.post("/password/reset/", {"email": "nobody@example.com"}).status_code == 302
    (email,) = mail.outbox
    assert email.subject == "Reset your Outreach password"
    link = re.search(r"http://testserver(/password/reset/\S+/)", email.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    page = client.get(form_url)
    assert page.status_code == 200 and b"Choose a new password" in page.content
    done = client.post(form_url, {"new_password1": "new-pass-phrase-2", "new_password2": "new-pass-phrase-2"})
    assert done["Location"] == "/password/reset/done/"
    assert Client().login(username="ann", password="new-pass-phrase-2")
    assert b"cannot be used" in Client().get(link, follow=True).content


def test_the_migration_makes_admins_owners_and_staff_managers(account):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("outreach.migrations.0006_roles_people_audit")
    create_staff_user(account, "old-admin", "pw-for-tests-123", "owner")
    create_staff_user(account, "old-staff", "pw-for-tests-123", "agent")
    Membership.objects.filter(user__username="old-admin").update(role="admin")
    Membership.objects.filter(user__username="old-staff").update(role="staff")
    migration.forwards(apps, None)
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"old-admin": "owner", "old-staff": "manager"}
