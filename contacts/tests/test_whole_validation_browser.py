"""The contact form with four mistakes shows all four at once, each under its field."""
import pytest

from contacts.models import Contact
from outreach.testing import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_four_bad_fields_are_reported_together(page, staff_login):
    page.goto("/contacts/new/")
    page.fill("#id_phone_number", "12")
    page.fill("#id_email", "nope")
    page.fill("#id_timezone", "Mars/Base")
    page.fill("#id_custom_variables", "plan=gold\n1st=x")
    page.click("button:has-text('Add contact')")
    page.wait_for_selector(".errorlist")
    for field, text in [
        ("phone_number", "'12' cannot be a phone number (wrong length for its country); use E.164"),
        ("email", "'nope' is not an email address; use the form name@example.com."),
        ("timezone", "'Mars/Base' is not an IANA time zone"),
        ("custom_variables", "Custom variable name '1st' must start with a letter or _"),
    ]:
        assert text in page.inner_text(f"#id_{field}_error")
        assert f"id_{field}_error" in page.get_attribute(f"#id_{field}", "aria-describedby")
        assert page.get_attribute(f"#id_{field}", "aria-invalid") == "true"
    assert page.locator(".errorlist").count() == 4
    assert page.evaluate("document.activeElement.id") == "id_phone_number"  # the first mistake
    assert page.input_value("#id_email") == "nope"  # what was typed is kept to be corrected
    screenshot(page, "contact-form-four-errors")
    assert not Contact.objects.exists()
