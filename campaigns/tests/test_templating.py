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


def test_a_compiled_template_reads_only_the_columns_it_names():
    assert templating.compile_template("Hi {first_name|there}").columns == {"first_name"}
    assert templating.compile_template("{full_name}, {phone}").columns == {"first_name", "last_name", "e164_number"}
    assert templating.compile_template("Your {plan|basic} plan").columns == {"custom_variables"}
    assert templating.compile_template("No placeholders {{at all}}").columns == set()


def test_a_field_wins_over_a_custom_variable_of_the_same_name():
    contact = {"first_name": "Ann", "custom_variables": {"first_name": "Bob", "n": 3, "none": None}}
    assert templating.render_for("{first_name} {n} {none|-}", contact) == "Ann 3 -"


def test_every_problem_is_reported_at_once_with_its_position():
    with pytest.raises(InvalidInput) as caught:
        templating.check("Hi {{ city }}, {frist_name} } {plan}", known={"plan"})
    message = caught.value.message
    assert "at 4: '{{ city }}' would send braces; write {city}" in message
    assert "at 16: {frist_name} is no contact field" in message
    assert "at 29: a stray" in message
    assert "plan" not in message.split("stray")[-1] and "{plan}" not in message, "a known custom variable is fine"
    templating.check("Hi {first_name|there}, {plan}! {{ :) }}", known={"plan"})  # no error


def test_unknown_names_are_only_judged_against_the_account_when_asked():
    templating.check("Hi {city}")  # no account at hand: only the syntax
    with pytest.raises(InvalidInput, match="no contact has a custom variable"):
        templating.check("Hi {city}", known=set())
