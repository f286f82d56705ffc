"""A/B variants: 2-5 bodies with split percentages, one per recipient chosen by a hash of
(campaign, contact), per-variant funnels in the API and the console; the fan-out costs the
same queries with variants at any audience size."""
from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from campaigns import fanout, variants
from campaigns.models import Campaign, CampaignRecipient
from contacts.models import Contact, ContactList
from messaging.queue import dispatch
from outreach.services import create_staff_user
from outreach.testing import assert_matches_schema

from . import factories as f

pytestmark = pytest.mark.django_db

AB = [{"body": "A: Hi {first_name|there}", "percent": 50}, {"body": "B: Hello!", "percent": 30},
      {"body": "C: Hey", "percent": 20}]


def big_list(account, n: int, name: str = "Many", first: int = 7000000) -> ContactList:
    lst = ContactList.objects.create(account=account, name=name)
    contacts = Contact.objects.bulk_create([
        Contact(account=account, phone_number=f"+1512{first + i:07d}", e164_number=f"+1512{first + i:07d}",
                first_name=f"N{i}") for i in range(n)
    ])
    Contact.lists.through.objects.bulk_create(
        [Contact.lists.through(contact_id=c.pk, contactlist_id=lst.pk) for c in contacts])
    return lst


def create(api, lst, **extra):
    body = {"name": "AB", "body": "ignored", "variants": AB, "list_ids": [str(lst.pk)],
            "window_start": "00:00", "window_end": "00:00", **extra}
    response = api.post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_thousand_recipients_split_within_five_points_and_show_per_variant_stats(api, account):
    f.lines(account, 2)
    created = create(api, big_list(account, 1000))
    assert created["body"] == AB[0]["body"] and [v["percent"] for v in created["variants"]] == [50, 30, 20]
    cid = created["id"]
    api.post(f"/api/v1/campaigns/{cid}/start")
    fanout.run(cid)

    counts = {i: CampaignRecipient.objects.filter(campaign_id=cid, variant=i).count() for i in range(3)}
    assert sum(counts.values()) == 1000
    for i, v in enumerate(AB):
        assert abs(counts[i] / 10 - v["percent"]) <= 5, counts
    sample = CampaignRecipient.objects.filter(campaign_id=cid).select_related("message", "contact")[:50]
    for r in sample:
        assert r.message.content.startswith("ABC"[r.variant] + ":")
        assert variants.picker(AB, uuid.UUID(cid))(r.contact_id) == r.variant  # deterministic

    dispatch.run_chunk()
    detail = api.get(f"/api/v1/campaigns/{cid}")
    assert_matches_schema(detail, "/api/v1/campaigns/{id}")
    stats = detail.json()["variant_stats"]
    assert [(s["label"], s["percent"], s["recipients"]) for s in stats] == [
        ("A", 50, counts[0]), ("B", 30, counts[1]), ("C", 20, counts[2])]
    assert sum(s["sent"] for s in stats) == detail.json()["progress"]["sent"] > 0
    recipients = api.get(f"/api/v1/campaigns/{cid}/recipients").json()["items"]
    assert {r["variant"] for r in recipients} <= {"A", "B", "C"}

    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    page = client.get(f"/campaigns/{cid}/").content.decode()
    assert 'data-testid="variant-stats"' in page and f'data-testid="variant-B-recipients">{counts[1]}<' in page


def test_the_fan_out_costs_the_same_queries_with_variants_at_any_size(api, account, settings):
    f.lines(account, 1)
    settings.FANOUT_CHUNK = 10_000

    def cost(n: int) -> int:
        cid = create(api, big_list(account, n, name=f"List {n}", first=7000000 + 1000 * n))["id"]
        api.post(f"/api/v1/campaigns/{cid}/start")
        with CaptureQueriesContext(connection) as queries:
            fanout.run(cid)
        assert CampaignRecipient.objects.filter(campaign_id=cid, variant__isnull=False).count() == n
        return len(queries.captured_queries)

    assert cost(20) == cost(200)


@pytest.mark.parametrize("given,fields", [
    ([{"body": "Hi", "percent": 50}], {"variants"}),
    ([{"body": "Hi", "percent": 60}, {"body": "Yo", "percent": 30}], {"variants"}),
    ([{"body": "", "percent": 50}, {"body": "Hi {shoe_size}", "percent": 0}],
     {"variants.0.body", "variants.1.body", "variants.1.percent"}),
    ("two", {"variants"}),
])
def test_bad_variants_are_422_naming_each(api, account, given, fields):
    lst = f.audience(account, ["+15125550601"])
    response = api.post("/api/v1/campaigns", {"name": "AB", "body": "Hi", "variants": given,
                                              "list_ids": [str(lst.pk)]}, format="json")
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == fields
    assert not Campaign.objects.exists()


def test_the_console_form_takes_variants_and_a_split(account):
    lst = f.audience(account, ["+15125550602"])
    client = Client()
    client.force_login(create_staff_user(account, "mia", "pw-for-tests-123", "manager"))
    form = {"name": "AB", "body": "Hi A", "variant_b": "Hi B", "lists": [str(lst.pk)], "priority": 0,
            "window_start": "09:00", "window_end": "20:00"}
    bad = client.post("/campaigns/new", {**form, "split": "50, 40"})
    assert bad.status_code == 422 and "split" in bad.context["form"].errors
    assert client.post("/campaigns/new", {**form, "split": "70, 30"}).status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.variants == [{"body": "Hi A", "percent": 70}, {"body": "Hi B", "percent": 30}]
    edit = client.get(f"/campaigns/{campaign.pk}/edit").content.decode()
    assert "Hi B</textarea>" in edit and 'value="70, 30"' in edit
    clone = client.post(f"/campaigns/{campaign.pk}/clone")
    assert clone.status_code == 302 and Campaign.objects.exclude(pk=campaign.pk).get().variants == campaign.variants


def test_every_bad_field_is_in_the_one_422_beside_the_variants(api, account):
    """A bad name, pace and tags are named in the same 422 as the variants' problems, not
    one at a time across several requests."""
    response = api.post("/api/v1/campaigns", {
        "name": " ", "pace_per_minute": 0, "tags": [""],
        "variants": [{"body": "", "percent": 50}, {"body": "Hi", "percent": 40}],
    }, format="json")
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"name", "pace_per_minute", "tags.0", "variants", "variants.0.body"}
    assert not Campaign.objects.exists()


def test_a_started_campaigns_split_cannot_change(api, account):
    """Recipients already have their variant: once started, the split (how many variants
    and their percentages) is fixed; the bodies of a paused campaign may still be edited."""
    f.lines(account, 1)
    cid = create(api, f.audience(account, ["+15125550603", "+15125550604"]))["id"]
    api.post(f"/api/v1/campaigns/{cid}/start")
    api.post(f"/api/v1/campaigns/{cid}/pause")
    split = [{**v, "percent": p} for v, p in zip(AB, [34, 33, 33], strict=True)]
    changed = api.patch(f"/api/v1/campaigns/{cid}", {"variants": split}, format="json")
    assert changed.status_code == 409 and "split" in changed.json()["detail"]
    halves = [{**v, "percent": 50} for v in AB[:2]]
    assert api.patch(f"/api/v1/campaigns/{cid}", {"variants": halves}, format="json").status_code == 409
    reworded = [{**v, "body": v["body"] + "!"} for v in AB]
    assert api.patch(f"/api/v1/campaigns/{cid}", {"variants": reworded}, format="json").status_code == 200
    assert Campaign.objects.get(pk=cid).variants == reworded


def test_the_fan_out_costs_the_same_queries_with_variants_and_tracked_links(api, account, settings):
    settings.FANOUT_CHUNK = 10_000
    account.track_links = True
    account.save(update_fields=["track_links"])
    f.lines(account, 1)
    linked = [{**v, "body": v["body"] + " https://shop.example.com/a"} for v in AB]

    def cost(n: int) -> int:
        cid = create(api, big_list(account, n, name=f"L{n}", first=6000000 + 1000 * n), variants=linked)["id"]
        api.post(f"/api/v1/campaigns/{cid}/start")
        with CaptureQueriesContext(connection) as queries:
            fanout.run(cid)
        assert Campaign.objects.get(pk=cid).links.count() == n
        assert CampaignRecipient.objects.filter(campaign_id=cid, variant__isnull=False).count() == n
        return len(queries.captured_queries)

    assert cost(20) == cost(200)
