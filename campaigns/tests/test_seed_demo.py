from __future__ import annotations

import pytest
from django.core.management import call_command

from campaigns.models import Campaign


@pytest.mark.django_db
def test_the_demo_has_a_draft_campaign_on_a_demo_list(settings, tmp_path):
    settings.DEMO_LOGIN_FILE = tmp_path / "login.txt"
    call_command("seed_demo")
    campaign = Campaign.objects.get(account__name="Demo")
    assert campaign.status == "DRAFT" and campaign.lists.exists()
    assert "{first_name|there}" in campaign.body
