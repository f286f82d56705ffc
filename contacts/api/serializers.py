"""Wire shapes of seed 003 (v1 dialect). Serializers check types; the services judge values."""
from __future__ import annotations

from rest_framework import serializers

from contacts.models import Contact, ContactList
from outreach.api.fields import BoundedListField

MAX_BATCH = 1000


class ContactSerializer(serializers.ModelSerializer):
    opted_out = serializers.BooleanField(read_only=True)
    #: A string, possibly empty (the model's EmailField would document format: email).
    email = serializers.CharField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    custom_variables = serializers.DictField(read_only=True)
    list_ids = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id", "phone_number", "e164_number", "first_name", "last_name", "email", "company_name",
            "timezone", "tags", "custom_variables", "opted_out", "opted_out_at", "list_ids",
            "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_list_ids(self, contact: Contact) -> list[str]:
        return [str(lst.pk) for lst in contact.lists.all()]


class ContactWriteSerializer(serializers.Serializer):
    """Every field optional on update; ``phone_number`` required on create."""

    phone_number = serializers.CharField(help_text="Any format; stored as E.164 (default region applies).")
    first_name = serializers.CharField(required=False, allow_blank=True)
    last_name = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    company_name = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(required=False, allow_blank=True, help_text="IANA name, e.g. America/New_York.")
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    custom_variables = serializers.DictField(required=False, help_text="Key -> value, used by templates.")
    list_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False,
        help_text="Lists to add the contact to (on update: replaces its lists).",
    )


class ContactRowSerializer(ContactWriteSerializer):
    """A batch row: a single create's field types (``tags`` a list of strings, ...), so the
    batch refuses what a single create refuses, keyed ``contacts.<index>.<field>``. A row
    without ``phone_number`` is that row's error in ``error_details``, as a bad number is."""

    phone_number = serializers.CharField(required=False, allow_blank=True)


class OptStateSerializer(serializers.ModelSerializer):
    opted_out = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contact
        fields = ["id", "opted_out", "opted_out_at"]
        read_only_fields = fields


class BatchSerializer(serializers.Serializer):
    contacts = BoundedListField(
        child=ContactRowSerializer(), min_length=1, max_length=MAX_BATCH,
        help_text=f"At most {MAX_BATCH} contacts, each with the fields of a single create.",
    )
    list_ids = serializers.ListField(child=serializers.UUIDField(), required=False)


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in `contacts`, from 0.")
    phone_number = serializers.CharField()
    reason = serializers.CharField()


class BatchResultSerializer(serializers.Serializer):
    total_submitted = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicates_skipped = serializers.IntegerField()
    errors = serializers.IntegerField()
    error_details = RowErrorSerializer(many=True)


class ContactListSerializer(serializers.ModelSerializer):
    contact_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ContactList
        fields = ["id", "name", "description", "contact_count", "created_at"]
        read_only_fields = ["id", "contact_count", "created_at"]
        extra_kwargs = {"name": {"required": True}, "description": {"required": False}}


class MembershipSerializer(serializers.Serializer):
    contact_ids = BoundedListField(
        child=serializers.UUIDField(), min_length=1, max_length=MAX_BATCH,
        help_text=f"At most {MAX_BATCH} contact ids per request.",
    )


class MembershipResultSerializer(serializers.Serializer):
    list_id = serializers.UUIDField()
    changed = serializers.IntegerField(help_text="Contacts added (or removed) by this call.")
    contact_count = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
