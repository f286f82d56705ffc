"""The inbox API's shapes (v1 dialect)."""
from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers

from ..choices import State
from ..models import CannedReply, Label, Note
from ..services import MAX_BULK, render


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class LabelSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=50)
    colour = serializers.CharField(max_length=7, required=False, help_text="#rrggbb")

    class Meta:
        model = Label
        fields = ["id", "name", "colour", "created_at"]
        read_only_fields = ["id", "created_at"]


class LabelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    colour = serializers.CharField()


class ContactRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    opted_out = serializers.BooleanField()


def _person(user):
    return {"id": user.pk, "username": user.get_username()} if user is not None else None


class ConversationSerializer(serializers.Serializer):
    """A conversation as a work item (its messages are ``/api/v1/messages``)."""

    id = serializers.IntegerField()
    line = serializers.CharField(help_text="The line's number (E.164).")
    number = serializers.CharField(help_text="The other party's address; empty for a group.")
    group_name = serializers.CharField()
    contact = ContactRefSerializer(allow_null=True)
    last_message_at = serializers.DateTimeField(allow_null=True)
    unread_count = serializers.IntegerField()
    state = serializers.ChoiceField(choices=State.choices)
    assignee = PersonSerializer(allow_null=True)
    snooze_until = serializers.DateTimeField(allow_null=True)
    labels = LabelRefSerializer(many=True)

    def to_representation(self, conv):
        try:
            work = conv.work
        except ObjectDoesNotExist:
            work = None
        contact = conv.contact
        return {
            "id": conv.pk, "line": conv.line.number, "number": conv.address, "group_name": conv.group_display_name,
            "contact": None if contact is None else {
                "id": str(contact.pk), "first_name": contact.first_name, "last_name": contact.last_name,
                "opted_out": contact.opted_out,
            },
            "last_message_at": serializers.DateTimeField().to_representation(conv.last_message_at)
            if conv.last_message_at else None,
            "unread_count": conv.unread_count,
            "state": work.state if work else State.OPEN,
            "assignee": _person(work.assignee) if work else None,
            "snooze_until": serializers.DateTimeField().to_representation(work.snooze_until)
            if work and work.snooze_until else None,
            "labels": sorted(({"id": cl.label.pk, "name": cl.label.name, "colour": cl.label.colour}
                              for cl in conv.inbox_labels.all()), key=lambda label: label["name"]),
        }


class ConversationChangeSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(required=False, allow_null=True,
                                        help_text="A person's user id (owner, manager or agent), or null: nobody.")
    state = serializers.ChoiceField(choices=State.choices, required=False)
    snooze_until = serializers.DateTimeField(
        required=False, allow_null=True,
        help_text="When a snoozed conversation opens again (given alone, it snoozes the conversation).")
    labels = serializers.ListField(child=serializers.IntegerField(), required=False,
                                   help_text="Label ids: the conversation's whole set of labels.")
    add_labels = serializers.ListField(child=serializers.IntegerField(), required=False)
    remove_labels = serializers.ListField(child=serializers.IntegerField(), required=False)


class BulkChangeSerializer(ConversationChangeSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=MAX_BULK,
                                help_text=f"The conversations to change (at most {MAX_BULK}).")
    labels = None  # a bulk action adds and removes labels; it does not replace each set


class ConversationBulkResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    items = ConversationSerializer(many=True)


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_label", read_only=True)
    body = serializers.CharField(max_length=5000)

    class Meta:
        model = Note
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class CannedReplySerializer(serializers.ModelSerializer):
    shortcut = serializers.CharField(max_length=41, help_text="Typed as /shortcut in the reply box.")
    body = serializers.CharField(max_length=2000, help_text="A template: Hi {first_name|there}.")
    rendered = serializers.SerializerMethodField(
        help_text="The body as the contact of `?conversation_id=` would receive it (null without it).")

    class Meta:
        model = CannedReply
        fields = ["id", "shortcut", "body", "rendered", "created_at", "updated_at"]
        read_only_fields = ["id", "rendered", "created_at", "updated_at"]

    def get_rendered(self, canned) -> str | None:
        if "conversation" not in self.context:
            return None
        return render(canned, self.context["conversation"].contact)
