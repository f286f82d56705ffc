"""What a client sends to create or edit a campaign, checked: every bad field is named in
one InvalidInput (one 422), each field by a check of its own (``CHECKS``)."""
from __future__ import annotations

from django.db import connection
from django.db.models import F, Func
from django.utils import timezone

from contacts.models import Contact
from messaging import validation
from outreach.exceptions import Conflict, InvalidInput
from outreach.models import Account

from . import links, templating, variants
from .choices import CampaignStatus, WinnerMetric
from .models import PACE_MAX, Campaign

S = CampaignStatus


#: Fields a client may set when creating or editing a campaign.
FIELDS = (
    "name", "body", "variants", "media_url", "send_style", "tags", "priority", "start_at", "expires_at",
    "window_start", "window_end", "pace_per_minute", "winner_test_percent", "winner_wait_minutes", "winner_metric",
)
WINNER_FIELDS = ("winner_test_percent", "winner_wait_minutes", "winner_metric")
#: The longest an A/B test may wait for its winner (a week, in minutes).
WINNER_WAIT_MAX = 7 * 24 * 60


def custom_variable_names(account: Account) -> set[str]:
    """Every custom variable name some contact of the account has (one query)."""
    contacts = Contact.objects.filter(account=account).exclude(custom_variables={})
    if connection.vendor != "postgresql":  # the embedded SQLite: read them all
        return {key for variables in contacts.values_list("custom_variables", flat=True) for key in variables or {}}
    return set(
        contacts.annotate(key=Func(F("custom_variables"), function="jsonb_object_keys"))
        .values_list("key", flat=True).distinct()
    )


def clean_fields(account: Account, data: dict, campaign: Campaign | None = None) -> dict:
    """Check what a client sent; raise InvalidInput naming every field to fix at once."""
    out = {k: data[k] for k in FIELDS if k in data}
    errors: dict[str, str] = {}
    for field, check in CHECKS:
        if field in ("body", "winner_test_percent") and any(name.startswith("variants") for name in errors):
            continue  # the message is the variants': their errors say what to fix
        try:
            check(account, out, campaign)
        except InvalidInput as exc:
            for name, texts in exc.field_errors.items() or [(field, [exc.message])]:
                errors.setdefault(name, " ".join(texts))
    if errors:
        raise InvalidInput.of_fields(errors)
    return out


def _check_name(account: Account, out: dict, campaign: Campaign | None) -> None:
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise InvalidInput("A campaign needs a name.", field="name")


def _check_variants(account: Account, out: dict, campaign: Campaign | None) -> None:
    if "variants" in out:
        out["variants"] = variants.clean(out["variants"], known=custom_variable_names(account))
        if out["variants"]:
            out["body"] = out["variants"][0]["body"]  # the first variant is the campaign's body
        if campaign is not None and campaign.status != S.DRAFT and variants.split(out["variants"]) != \
                variants.split(campaign.variants):
            raise Conflict("The A/B split (how many variants, and their percentages) is fixed once a campaign "
                           "has started: its recipients have their variant. Edit the bodies only, or clone it.")


def _check_message(account: Account, out: dict, campaign: Campaign | None) -> None:
    body = out.get("body", campaign.body if campaign else "")
    media = out.get("media_url", campaign.media_url if campaign else "")
    if "body" in out and not out.get("variants"):
        templating.check(out["body"] or "", known=custom_variable_names(account))
    if "body" in out or "media_url" in out or campaign is None:
        if not body and not media:
            raise InvalidInput("Write the message: body (a template), media_url, or both.", field="body")
        try:
            validation.validate_content(body or "", media or "")
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="body") from None
        validation.validate_media_url(media or "")


def _check_options(account: Account, out: dict, campaign: Campaign | None) -> None:
    if out.get("send_style"):
        validation.validate_send_style(out["send_style"])


def _check_expiry(account: Account, out: dict, campaign: Campaign | None) -> None:
    if out.get("expires_at") is not None:
        start = out.get("start_at", campaign.start_at if campaign else None)
        validation.validate_expires_at(out["expires_at"], timezone.now(), start, field="expires_at")


def _check_priority(account: Account, out: dict, campaign: Campaign | None) -> None:
    if "priority" in out:
        validation.validate_priority(out["priority"])


def _check_tags(account: Account, out: dict, campaign: Campaign | None) -> None:
    if "tags" in out:
        tags = out["tags"] or []
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise InvalidInput("tags must be a list of non-empty strings.", field="tags")
        out["tags"] = sorted({t.strip() for t in tags})


def _check_pace(account: Account, out: dict, campaign: Campaign | None) -> None:
    pace = out.get("pace_per_minute")
    if pace is not None and not 1 <= pace <= PACE_MAX:
        raise InvalidInput(f"pace_per_minute must be between 1 and {PACE_MAX:,} (or empty for no pace).",
                           field="pace_per_minute")


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _check_winner(account: Account, out: dict, campaign: Campaign | None) -> None:
    """Send the winner to the rest: a test share (1-90 %), a wait (1 minute to a week) and a
    metric; only with variants; by click rate only with tracked links in every variant."""
    if not any(name in out for name in (*WINNER_FIELDS, "variants")):
        return
    now = {name: out.get(name, getattr(campaign, name) if campaign else None) for name in WINNER_FIELDS}
    if campaign is not None and campaign.status != S.DRAFT and any(
            out.get(name, now[name]) != getattr(campaign, name) for name in WINNER_FIELDS if name in out):
        raise Conflict("An A/B test's share, wait and metric are fixed once the campaign has started.")
    percent = now["winner_test_percent"]
    if percent is None:
        return
    errors = {}
    chosen = out.get("variants", campaign.variants if campaign else [])
    if not _whole(percent, 1, 90):
        errors["winner_test_percent"] = "winner_test_percent must be a whole number from 1 to 90 (or null for no test)."
    elif not chosen:
        errors["winner_test_percent"] = "A test of the winner needs A/B variants (2 to 5)."
    if not _whole(now["winner_wait_minutes"], 1, WINNER_WAIT_MAX):
        errors["winner_wait_minutes"] = (f"winner_wait_minutes: how long the test runs before the winner is picked, "
                                         f"1 to {WINNER_WAIT_MAX:,} minutes.")
    metric = now["winner_metric"] or WinnerMetric.REPLY_RATE
    if metric not in WinnerMetric.values:
        errors["winner_metric"] = f"winner_metric must be one of {', '.join(WinnerMetric.values)}."
    elif metric == WinnerMetric.CLICK_RATE and not (
            account.track_links and chosen and all(links.URL.search(v.get("body") or "") for v in chosen)):
        errors["winner_metric"] = ("click_rate needs link tracking on (Settings) and a link in every variant; "
                                   "pick reply_rate otherwise.")
    if errors:
        raise InvalidInput.of_fields(errors)
    out["winner_metric"] = metric


#: Each field's check, in order (a check without a field of its own names the first).
CHECKS = [("name", _check_name), ("variants", _check_variants), ("body", _check_message),
          ("send_style", _check_options), ("priority", _check_priority), ("tags", _check_tags),
          ("pace_per_minute", _check_pace), ("winner_test_percent", _check_winner),
          ("expires_at", _check_expiry)]
