from __future__ import annotations

import pytest

from campaigns import templating
from outreach.exceptions import InvalidInput


def test_it_fills_fields_and_custom_variables():
    contact = {"first_name": "Ann", "last_name": "Lee", "company_name": "Acme",
               "custom_variables": {"plan": "gold"}, "e164_number": "+15125550100"}
    text = templating.render_for("Hi {first_name} {last_name} of {company_name}, {plan} plan, {phone}", contact)
    assert text == "Hi Ann Lee of Acme, gold plan, +15125550100"


def test_it_uses_the_fallback_when_the_value_is_missing_or_empty():
    contact = {"first_name": "", "custom_variables": {"plan": ""}}
    assert templating.render_for("Hi {first_name|there}, {plan|basic}; {city|}!", contact) == "Hi there, basic; !"


def test_it_writes_literal_braces_and_refuses_stray_ones():
    assert templating.render_for("{{ok}} {first_name}", {"first_name": "A"}) == "{ok} A"
    with pytest.raises(InvalidInput, match="stray"):
        templating.check("Hi {first_name")
