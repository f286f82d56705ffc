"""The message log's filters: ``GET /api/v2/messages`` (seed 002) and the console's log.

Parameter names are Sendblue's, so the official SDK's ``messages.list(...)`` works
unchanged. Phone numbers are read the way users type them and compared as E.164.
"""
from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.forms import ValidationError

from outreach.api.filters import StrictBooleanFilter
from outreach.exceptions import InvalidInput

from .choices import MessageType, Service, Status
from .models import Message
from .validation import normalize_address

#: Sendblue's ``order_by`` words -> model fields. Snake case is accepted too.
ORDER_FIELDS = {
    "createdAt": "created_at", "created_at": "created_at",
    "updatedAt": "updated_at", "updated_at": "updated_at",
    "sentAt": "sent_at", "sent_at": "sent_at",
}
NULLABLE_ORDER_FIELDS = {"sent_at"}
#: Sendblue lists ``SUCCESS`` among the statuses a filter may ask for: a message that made it.
SUCCESS = "SUCCESS"
SUCCESS_STATUSES = [Status.SENT, Status.DELIVERED, Status.READ]


class AddressField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalize_address(value)
        except InvalidInput as exc:
            raise ValidationError(exc.message) from None


class AddressFilter(django_filters.CharFilter):
    """A number or Apple ID typed any usual way, compared in its stored form."""

    field_class = AddressField


class MessageFilter(django_filters.FilterSet):
    is_outbound = StrictBooleanFilter(help_text="true or false (also 1 or 0); false for inbound (messages to your lines).")
    status = django_filters.ChoiceFilter(
        choices=[*Status.choices, (SUCCESS, SUCCESS)], method="filter_status"
    )
    service = django_filters.ChoiceFilter(choices=Service.choices)
    message_type = django_filters.ChoiceFilter(choices=MessageType.choices)
    number = AddressFilter(method="filter_number", help_text="Either party's number (from or to).")
    from_number = AddressFilter()
    to_number = AddressFilter()
    sendblue_number = AddressFilter(field_name="line__number", help_text="Your line's number.")
    group_id = django_filters.CharFilter(field_name="conversation__group_id")
    account_email = django_filters.CharFilter(field_name="account__email", lookup_expr="iexact")
    created_at_gte = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at_lte = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")
    updated_at_gte = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_at_lte = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="lte")
    sent_at_gte = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="gte")
    sent_at_lte = django_filters.IsoDateTimeFilter(field_name="sent_at", lookup_expr="lte")
    order_by = django_filters.ChoiceFilter(
        choices=[(k, k) for k in ORDER_FIELDS], method="filter_noop",
        help_text="createdAt (default), updatedAt or sentAt.",
    )
    order_direction = django_filters.ChoiceFilter(
        choices=[("asc", "asc"), ("desc", "desc")], method="filter_noop", help_text="desc (default) or asc."
    )

    class Meta:
        model = Message
        fields: list[str] = []

    def filter_status(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == SUCCESS:
            return qs.filter(status__in=SUCCESS_STATUSES)
        return qs.filter(status=value)

    def filter_number(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(Q(from_number=value) | Q(to_number=value) | Q(number=value))

    def filter_noop(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs  # applied in filter_queryset, after every filter

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        field = ORDER_FIELDS[self.form.cleaned_data.get("order_by") or "createdAt"]
        descending = (self.form.cleaned_data.get("order_direction") or "desc") == "desc"
        # id breaks ties so offset paging never repeats or skips a row.
        if field in NULLABLE_ORDER_FIELDS:
            # sent_at is empty until a message leaves: those rows go last either way.
            column = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
            return queryset.order_by(column, "-id" if descending else "id")
        # Plain ORDER BY on a never-NULL column, so PostgreSQL walks msg_account_recent
        # (NULLS LAST there would make it sort every match instead).
        return queryset.order_by(f"-{field}", "-id") if descending else queryset.order_by(field, "id")


class V1MessageFilter(django_filters.FilterSet):
    """Seed 004's ``GET /api/v1/messages`` filters."""

    direction = django_filters.ChoiceFilter(
        choices=[("sent", "sent"), ("received", "received")], method="filter_direction"
    )
    participant = AddressFilter(method="filter_participant", help_text="A phone number or email.")

    class Meta:
        model = Message
        fields: list[str] = []

    def filter_direction(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(is_outbound=(value == "sent"))

    def filter_participant(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(number=value) | Q(from_number=value) | Q(to_number=value)
            | Q(conversation__participants__icontains=f"\"{value}\"")
        )
