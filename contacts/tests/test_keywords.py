"""Reply keywords per account: the opt-out, opt-in and HELP words and the automatic reply to
each, through ``keyword_action`` (the call messaging's inbound path makes), the API
(``/api/v1/keywords``, scope contacts, one account's own) and the console page (owners and
managers)."""
from __future__ import annotations

import pytest
from django.test import Client

from contacts import keywords
from contacts.models import KeywordSettings
from contacts.services import keyword_action
from messaging.choices import OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

pytestmark = pytest.mark.django_db


def test_the_defaults_are_messagings_lists_plus_help_and_opt_outs_are_not_confirmed(account):
    assert set(keywords.DEFAULT_KEYWORDS["opt_out"]) == OPT_OUT_KEYWORDS
    assert set(keywords.DEFAULT_KEYWORDS["opt_in"]) == OPT_IN_KEYWORDS
    assert keyword_action(account, "  stop ") == ("opt_out", None)  # confirmation off by default
    assert keyword_action(account, "opt   out") == ("opt_out", None)
    action, reply = keyword_action(account, "Start")
    assert action == "opt_in" and reply.startswith(f"{account.name}: you are subscribed again")
    action, reply = keyword_action(account, "info")
    assert action == "help" and "reply STOP" in reply
    assert keyword_action(account, "please stop") == (None, None)
    assert keyword_action(account, "") == (None, None)
    assert not KeywordSettings.objects.exists()  # reading never writes


def test_the_api_reads_and_changes_them_naming_every_bad_field(api, account, other_account, api_for):
    got = api.get("/api/v1/keywords")
    assert_matches_schema(got, "/api/v1/keywords")
    assert got.json()["opt_out_reply_on"] is False and "HELP" in got.json()["help_keywords"]

    bad = api.put("/api/v1/keywords", {
        "opt_out_keywords": ["quit"], "help_keywords": ["HELP", "start"], "opt_in_reply": "x" * 400,
        "help_reply_on": "yes", "colour": "red",
    }, format="json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"colour"}
    bad = api.put("/api/v1/keywords", {
        "opt_out_keywords": ["quit"], "help_keywords": ["HELP", "start"], "opt_in_reply": "x" * 400,
        "help_reply_on": "yes", "opt_out_reply_on": True, "opt_out_reply": " ",
    }, format="json")
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"opt_out_keywords", "help_keywords", "opt_in_reply", "help_reply_on",
                                         "opt_out_reply"}
    assert not KeywordSettings.objects.exists()

    good = api.put("/api/v1/keywords", {
        "opt_out_keywords": ["stop", "Arrêt", "  no   more "], "opt_out_reply_on": True,
        "opt_out_reply": "Bye from Alice Co.", "help_keywords": ["HELP", "AIDE"],
    }, format="json")
    assert good.status_code == 200, good.content
    assert_matches_schema(good, "/api/v1/keywords", method="put")
    assert good.json()["opt_out_keywords"] == ["ARRÊT", "NO MORE", "STOP"]
    assert keyword_action(account, "no more") == ("opt_out", "Bye from Alice Co.")
    assert keyword_action(account, "quit") == (None, None)  # no longer one of the account's words
    assert keyword_action(account, "aide")[0] == "help"

    other = api_for(other_account, ["contacts"])
    assert other.get("/api/v1/keywords").json()["opt_out_keywords"] == keywords.DEFAULT_KEYWORDS["opt_out"]
    assert keyword_action(other_account, "no more") == (None, None)
    assert api_for(account, ["campaigns"]).put("/api/v1/keywords", {"help_reply_on": False},
                                               format="json").status_code == 403


def test_owners_and_managers_change_them_in_the_console(account):
    manager, agent = Client(), Client()
    manager.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    agent.force_login(create_staff_user(account, "ada", "pw-for-tests-123", "agent"))
    assert agent.get("/contacts/keywords/").status_code == 403
    page = manager.get("/contacts/keywords/")
    assert page.status_code == 200 and 'value="CANCEL, END, OPT OUT' in page.content.decode()
    form = {"opt_out_keywords": "STOP, END", "opt_in_keywords": "START", "help_keywords": "HELP, START",
            "help_reply_on": "on", "help_reply": "Call us.", "opt_in_reply": "", "opt_out_reply": ""}
    bad = manager.post("/contacts/keywords/", form)
    assert bad.status_code == 422 and "help_keywords" in bad.context["form"].errors
    assert manager.post("/contacts/keywords/", {**form, "help_keywords": "HELP"}).status_code == 302
    assert keyword_action(account, "help") == ("help", "Call us.")
    assert keyword_action(account, "start") == ("opt_in", None)  # its reply was turned off
    assert keyword_action(account, "quit") == (None, None)
