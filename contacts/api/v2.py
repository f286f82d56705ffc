"""Contacts in the Sendblue dialect (``/api/v2/contacts``), as the official ``sendblue`` SDK's
``contacts`` resource calls them: the same rows as the v1 contacts API (one contact book,
two dialects), keyed by phone number, Sendblue's error shape.

What a field means where Sendblue is silent (docs/api.md, *Contacts v2*):
- Sendblue's deprecated camelCase aliases (``firstName``, ``phoneNumber``...) are read too;
  the preferred snake_case name wins when both are sent.
- ``PUT`` changes only the fields sent; ``custom_variables`` are merged, not replaced.
- ``POST /api/v2/contacts/bulk`` creates the new numbers and updates the known ones; every
  bad row is reported at once and nothing is written unless all are good.
- ``sendblue_number`` (the line a contact is answered from) is read-only here: it is the
  line of the contact's conversation, filled by the app that owns conversations through
  the ``api-contact-lines`` hook (``outreach.panels``).
"""
from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts import bulk, services, validation
from contacts.choices import OptOutSource
from contacts.models import Contact
from outreach import panels
from outreach.choices import Family
from outreach.exceptions import InvalidInput, NotFound

TAGS = ["contacts (Sendblue)"]
#: Request field -> the names it arrives under (preferred first, then Sendblue's aliases).
ALIASES = {
    "phone_number": ("number", "phone", "phone_number", "phoneNumber"),
    "first_name": ("first_name", "firstName"),
    "last_name": ("last_name", "lastName"),
    "company_name": ("company_name", "companyName"),
    "email": ("email",),
    "tags": ("tags",),
    "custom_variables": ("custom_variables",),
}
#: Fields of Sendblue's contact this server does not store on a contact; refused, never dropped.
NOT_STORED = {
    "sendblue_number": "the line is chosen when a message is sent (from_number) and kept per conversation",
    "sendblueNumber": "the line is chosen when a message is sent (from_number) and kept per conversation",
    "assigned_to_email": "conversations, not contacts, are assigned to people here",
    "assignedToEmail": "conversations, not contacts, are assigned to people here",
}
ORDER_FIELDS = {"created_at": "created_at", "updated_at": "updated_at", "first_name": "first_name",
                "last_name": "last_name", "phone": "e164_number", "phone_number": "e164_number"}
MAX_LIMIT, MAX_OFFSET = 1000, 10_000

class ContactBody(serializers.Serializer):
    """Sendblue's contact (the SDK's ``types/contact.py``)."""

    contact_id = serializers.CharField()
    phone = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    company_name = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    custom_variables = serializers.DictField(child=serializers.CharField())
    opt_out = serializers.BooleanField()
    verified = serializers.BooleanField()
    sendblue_number = serializers.CharField(allow_null=True)
    assigned_to_email = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


OneContact = inline_serializer("SendblueContactResponse", {"status": serializers.CharField(), "contact": ContactBody()})
Status = inline_serializer("SendblueContactStatus", {"status": serializers.CharField()})


def present(contacts: list[Contact], account) -> list[dict[str, Any]]:
    """Contacts in Sendblue's shape; their lines from one hook call for the whole page."""
    lines = panels.context("api-contact-lines", account, contacts)
    return [{
        "contact_id": str(c.pk), "phone": c.e164_number, "first_name": c.first_name, "last_name": c.last_name,
        "company_name": c.company_name, "tags": c.tags,
        "custom_variables": {k: str(v) for k, v in (c.custom_variables or {}).items()},
        "opt_out": c.opted_out_at is not None, "verified": False,
        "sendblue_number": lines.get(c.pk), "assigned_to_email": None, "created_at": c.created_at,
    } for c in contacts]


def fields_from(data: Any) -> dict[str, Any]:
    """The contact fields of a request body, aliases resolved; refuses what is not stored."""
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    refused = {name: f"{name} is not stored on a contact: {why}." for name, why in NOT_STORED.items() if name in data}
    if refused:
        raise InvalidInput.of_fields(refused)
    fields = {}
    for name, names in ALIASES.items():
        sent = [data[n] for n in names if n in data]
        if sent:
            fields[name] = sent[0]
    return fields


def problems_of(fields: dict[str, Any], *, require_phone: bool) -> dict[str, str]:
    """Every problem with these fields: the JSON types Sendblue declares, then the values."""
    problems = {}
    if "tags" in fields and not (isinstance(fields["tags"], list) and all(isinstance(t, str) for t in fields["tags"])):
        problems["tags"] = "tags must be a list of strings, e.g. [\"vip\"]."
    if "custom_variables" in fields and not isinstance(fields["custom_variables"], dict):
        problems["custom_variables"] = "custom_variables must be an object of names to values."
    judged = {k: v for k, v in fields.items() if k not in problems}
    return {**validation.field_errors(judged, require_phone=require_phone), **problems}


def number_of(raw: Any, field: str = "number") -> str:
    try:
        return validation.clean_phone(raw)[1]
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=field) from None


def uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def contact_by_number(account, raw: str) -> Contact:
    contact = Contact.objects.filter(account=account, e164_number=number_of(raw, "phone_number")).first()
    if contact is None:
        raise NotFound(f"No contact has the number {raw}.")
    return contact


def apply_update(account, contact: Contact, data: dict) -> Contact:
    """``PUT``: the fields sent, custom variables merged, ``opt_out`` through the opt-out rules."""
    fields = fields_from(data)
    problems = problems_of(fields, require_phone=False)
    if problems:
        raise InvalidInput.of_fields(problems)
    opt = next((data[n] for n in ("opt_out", "optOut") if n in data), None)
    if opt is not None and not isinstance(opt, bool):
        raise InvalidInput("opt_out must be true or false.", field="opt_out")
    if isinstance(fields.get("custom_variables"), dict):
        fields["custom_variables"] = {**(contact.custom_variables or {}), **fields["custom_variables"]}
    with transaction.atomic():
        contact = services.update_contact(account, contact, fields)
        if opt is True:
            contact = services.opt_out(account, contact, source=OptOutSource.API)
        elif opt is False:
            contact = services.opt_in(account, contact, source=OptOutSource.API)
    return contact


BulkDelete = inline_serializer("SendblueBulkDelete", {"contact_ids": serializers.ListField(child=serializers.CharField())})
BulkDeleted = inline_serializer("SendblueBulkDeleted", {"status": serializers.CharField(),
                                                        "amount": serializers.IntegerField()})


def delete_numbers(account, data) -> Response:
    """``DELETE /api/v2/contacts`` and ``/api/v2/contacts/bulk``: ``contact_ids`` are phone
    numbers; every bad one is named at once and nothing is deleted then."""
    raw = data.get("contact_ids") if isinstance(data, dict) else None
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("contact_ids must be a non-empty list of phone numbers.", field="contact_ids")
    numbers, errors = [], {}
    for i, value in enumerate(raw):
        try:
            numbers.append(number_of(value, f"contact_ids.{i}"))
        except InvalidInput as exc:
            errors[exc.field] = exc.message
    if errors:
        raise InvalidInput.of_fields(errors)
    deleted = bulk.delete(account, Contact.objects.filter(e164_number__in=numbers))
    return Response({"status": "OK", "amount": deleted})


class SendblueContactsView(APIView):
    scope_family = Family.CONTACTS
    dialect = "sendblue"

    @property
    def account(self):
        return self.request.auth.account

    def one(self, contact: Contact, status: int = 200) -> Response:
        return Response({"status": "OK", "contact": present([contact], self.account)[0]}, status=status)


class ContactsV2(SendblueContactsView):
    @extend_schema(operation_id="v2_contacts_list", tags=TAGS, responses=ContactBody(many=True), parameters=[
        OpenApiParameter("cid", str), OpenApiParameter("phone_number", str),
        OpenApiParameter("created_at_gte", OpenApiTypes.DATETIME),
        OpenApiParameter("limit", int, description=f"Default 100, at most {MAX_LIMIT}."),
        OpenApiParameter("offset", int, description=f"At most {MAX_OFFSET}."),
        OpenApiParameter("order_by", str, enum=sorted(ORDER_FIELDS)),
        OpenApiParameter("order_direction", str, enum=["asc", "desc"]),
    ])
    def get(self, request):
        """The account's contacts, a page at a time (``limit``/``offset``)."""
        query = ListQuery(request.query_params)
        contacts = query.apply(Contact.objects.filter(account=self.account))
        return Response(present(list(contacts), self.account))

    @extend_schema(operation_id="v2_contacts_create", tags=TAGS, responses={200: OneContact}, request=OpenApiTypes.OBJECT)
    def post(self, request):
        """Create a contact; with ``update_if_exists``, update the one that has this number."""
        fields = fields_from(request.data)
        if "phone_number" not in fields:
            raise InvalidInput("number is required (E.164, e.g. +15551234567).", field="number")
        problems = problems_of(fields, require_phone=True)
        if problems:
            raise InvalidInput.of_fields(problems)
        existing = Contact.objects.filter(
            account=self.account, e164_number=number_of(fields["phone_number"])).first()
        if existing is not None and request.data.get("update_if_exists") is True:
            return self.one(apply_update(self.account, existing, request.data))
        return self.one(services.create_contact(self.account, fields))

    @extend_schema(operation_id="v2_contacts_bulk_delete", tags=TAGS, request=BulkDelete, responses=BulkDeleted)
    def delete(self, request):
        """Delete the contacts with these numbers (``contact_ids`` are phone numbers)."""
        return delete_numbers(self.account, request.data)


class ListQuery:
    """``GET /api/v2/contacts``'s query, every bad parameter reported at once."""

    def __init__(self, params):
        errors: dict[str, str] = {}
        self.filters: dict[str, Any] = {}
        self.limit = self._int(params, "limit", 100, 1, MAX_LIMIT, errors)
        self.offset = self._int(params, "offset", 0, 0, MAX_OFFSET, errors)
        order_by = params.get("order_by", "created_at")
        if order_by not in ORDER_FIELDS:
            errors["order_by"] = f"order_by must be one of {', '.join(sorted(ORDER_FIELDS))}."
        direction = params.get("order_direction", "desc")
        if direction not in ("asc", "desc"):
            errors["order_direction"] = "order_direction must be asc or desc."
        self.order = ("-" if direction == "desc" else "") + ORDER_FIELDS.get(order_by, "created_at")
        if "created_at_gte" in params:
            when = parse_datetime(params["created_at_gte"])
            if when is None:
                errors["created_at_gte"] = "created_at_gte must be an ISO 8601 time, e.g. 2026-01-31T09:00:00Z."
            self.filters["created_at__gte"] = when
        if "cid" in params:
            self.filters["pk"] = uuid_or_none(params["cid"])
        if "phone_number" in params:
            self.filters["e164_number"] = self._number(params["phone_number"], errors)
        if errors:
            raise InvalidInput.of_fields(errors)

    @staticmethod
    def _int(params, name: str, default: int, low: int, high: int, errors: dict) -> int:
        try:
            value = int(params.get(name, default))
        except ValueError:
            errors[name] = f"{name} must be a whole number from {low} to {high}."
            return default
        if not low <= value <= high:
            errors[name] = f"{name} must be from {low} to {high}; got {value}."
        return value

    @staticmethod
    def _number(raw: str, errors: dict) -> str:
        try:
            return number_of(raw, "phone_number")
        except InvalidInput as exc:
            errors["phone_number"] = exc.message
            return ""

    def apply(self, queryset):
        if self.filters.get("pk", True) is None:
            return queryset.none()
        return queryset.filter(**self.filters).order_by(self.order, "pk")[self.offset:self.offset + self.limit]


class ContactV2(SendblueContactsView):
    @extend_schema(operation_id="v2_contacts_retrieve", tags=TAGS, responses={200: OneContact})
    def get(self, request, phone_number):
        return self.one(contact_by_number(self.account, phone_number))

    @extend_schema(operation_id="v2_contacts_update", tags=TAGS, request=OpenApiTypes.OBJECT,
                   responses={200: OneContact})
    def put(self, request, phone_number):
        """Change the fields sent (custom variables merged); ``opt_out`` opts out or back in."""
        return self.one(apply_update(self.account, contact_by_number(self.account, phone_number), request.data))

    @extend_schema(operation_id="v2_contacts_delete", tags=TAGS, responses={200: Status})
    def delete(self, request, phone_number):
        services.delete_contact(self.account, contact_by_number(self.account, phone_number))
        return Response({"status": "OK"})


class ContactsBulkV2(SendblueContactsView):
    @extend_schema(operation_id="v2_contacts_bulk_create", tags=TAGS, request=OpenApiTypes.OBJECT,
                   responses=inline_serializer("SendblueBulkCreated", {
                       "status": serializers.CharField(), "contacts": ContactBody(many=True)}))
    def post(self, request):
        """Create the new numbers and update the known ones, all or nothing."""
        rows = request.data.get("contacts") if isinstance(request.data, dict) else None
        if not isinstance(rows, list) or not rows:
            raise InvalidInput("contacts must be a non-empty list of contacts.", field="contacts")
        if len(rows) > MAX_LIMIT:
            raise InvalidInput(f"contacts holds at most {MAX_LIMIT} contacts; got {len(rows)}.", field="contacts")
        parsed, errors = self._judge(rows)
        if errors:
            raise InvalidInput.of_fields(errors)
        with transaction.atomic():
            saved = [self._save(fields) for fields in parsed]
        return Response({"status": "OK", "contacts": present(saved, self.account)})

    @staticmethod
    def _judge(rows: list) -> tuple[list[dict], dict[str, str]]:
        parsed, errors = [], {}
        for i, row in enumerate(rows):
            try:
                fields = fields_from(row)
                problems = problems_of(fields, require_phone=True)
            except InvalidInput as exc:
                problems = {name: " ".join(texts) for name, texts in exc.field_errors.items()} or {"": exc.message}
            # Sendblue's error body is one message: each problem names its row.
            errors.update({f"contacts.{i}.{name}": f"contacts[{i}]: {text}" for name, text in problems.items()})
            if not problems:
                parsed.append(fields)
        return parsed, errors

    def _save(self, fields: dict) -> Contact:
        existing = Contact.objects.filter(account=self.account, e164_number=number_of(fields["phone_number"])).first()
        if existing is None:
            return services.create_contact(self.account, fields)
        return services.update_contact(self.account, existing, fields)

    @extend_schema(operation_id="v2_contacts_bulk_delete_by_path", tags=TAGS, request=BulkDelete,
                   responses=BulkDeleted)
    def delete(self, request):
        """The same as ``DELETE /api/v2/contacts``, at the path the issue names."""
        return delete_numbers(self.account, request.data)


class ContactsCountV2(SendblueContactsView):
    @extend_schema(operation_id="v2_contacts_count", tags=TAGS,
                   responses=inline_serializer("SendblueContactCount", {"count": serializers.IntegerField()}))
    def get(self, request):
        return Response({"count": Contact.objects.filter(account=self.account).count()})


class ContactsOptOutV2(SendblueContactsView):
    @extend_schema(operation_id="v2_contacts_opt_out", tags=TAGS, request=inline_serializer(
        "SendblueOptOutRequest", {"number": serializers.CharField(), "opted_out": serializers.BooleanField()}),
        responses=inline_serializer("SendblueOptOut", {"status": serializers.CharField(),
                                                       "number": serializers.CharField(),
                                                       "opted_out": serializers.BooleanField()}))
    def post(self, request):
        """Opt a number out (or back in with ``opted_out: false``); a number not yet a contact
        becomes one, so the opt-out holds before the first message."""
        data = request.data if isinstance(request.data, dict) else {}
        errors = {}
        try:
            number = number_of(data.get("number"))
        except InvalidInput as exc:
            errors["number"] = exc.message
        opted_out = data.get("opted_out", True)
        if not isinstance(opted_out, bool):
            errors["opted_out"] = "opted_out must be true or false."
        if errors:
            raise InvalidInput.of_fields(errors)
        contact = services.contact_for_address(self.account, number, create=True)
        change = services.opt_out if opted_out else services.opt_in
        contact = change(self.account, contact, source=OptOutSource.API)
        return Response({"status": "OK", "number": number, "opted_out": contact.opted_out_at is not None})
