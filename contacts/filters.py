"""One FilterSet for the contacts API and the console's contacts table."""
from __future__ import annotations

import json
import re

import django_filters
from django.db import connection
from django.db.models import Q, QuerySet

from outreach.api.filters import StrictBooleanFilter
from outreach.exceptions import InvalidInput
from outreach.phones import to_e164

from .choices import SortOrder
from .models import Contact

#: What a phone number typed in a search box looks like: digits and the usual punctuation.
PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]+$")


def search_contacts(qs: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """By name, email or company (every word must match), or by phone number in any format:
    ``(555) 123-4567``, ``555-123-4567``, ``+15551234567`` or a fragment of the digits."""
    text = (text or "").strip()
    if not text:
        return qs
    digits = "".join(ch for ch in text if ch.isdigit())
    if PHONE_LIKE.match(text) and len(digits) >= 3:
        by_phone = Q(search_text__contains=digits)
        try:
            # A national number with a trunk prefix (UK 07700 900123) is not a substring of
            # its E.164 digits, so also try the number as the default region reads it.
            by_phone |= Q(e164_number=to_e164(text))
        except InvalidInput:
            pass
        return qs.filter(by_phone)
    for word in text.lower().split():
        qs = qs.filter(search_text__contains=word)
    return qs


def with_tag(qs: QuerySet[Contact], tag: str) -> QuerySet[Contact]:
    tag = tag.strip()
    if not tag:
        return qs
    if connection.vendor == "postgresql":
        return qs.filter(tags__contains=[tag])  # jsonb @>, served by the GIN index
    # SQLite has no JSON containment: match the quoted tag inside the stored JSON text.
    return qs.filter(tags__icontains=json.dumps(tag))


class ContactFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", help_text="Name, email, company, or phone number in any format."
    )
    list_id = django_filters.UUIDFilter(field_name="lists__id", help_text="Only contacts in this list.")
    tag = django_filters.CharFilter(method="filter_tag", help_text="Only contacts with this tag.")
    opted_out = StrictBooleanFilter(
        method="filter_opted_out",
        help_text="true: only opted-out contacts; false: only reachable ones (also 1/0, any case).",
    )
    sort = django_filters.ChoiceFilter(
        choices=SortOrder.choices, method="filter_sort", empty_label=None, help_text="Order of the results."
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_search(self, qs, name, value):
        return search_contacts(qs, value)

    def filter_tag(self, qs, name, value):
        return with_tag(qs, value)

    def filter_opted_out(self, qs, name, value):
        return qs.filter(opted_out_at__isnull=not value)

    def filter_sort(self, qs, name, value):
        return qs.order_by(value, "pk")


def account_filter(account, params) -> ContactFilter:
    """The FilterSet over the account's contacts, newest first unless ``params`` sorts."""
    params = params.copy()
    params.setdefault("sort", SortOrder.NEWEST)
    return ContactFilter(params, queryset=Contact.objects.filter(account=account))
