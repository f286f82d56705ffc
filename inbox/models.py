"""The inbox's rows: a conversation's work state, labels, notes, canned replies, who is
available and how the account assigns. ``inbox.services`` is their one writer.

A conversation with no ``Work`` row is open and unassigned (conversations are messaging's;
the row appears the first time someone or a rule touches the conversation's work).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from messaging.models import Conversation
from outreach.models import Account, Membership

from .choices import DEFAULT_COLOUR, Rule, State


class Work(models.Model):
    """A conversation as a work item: who owns it and whether it waits on the team."""

    conversation = models.OneToOneField(Conversation, primary_key=True, on_delete=models.CASCADE,
                                        related_name="work")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="inbox_work")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="inbox_assigned")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    #: When a snoozed conversation opens again by itself (``services.wake_snoozed``).
    snooze_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "assignee", "state"], name="inbox_work_mine"),
            models.Index(fields=["snooze_until"], condition=Q(state=State.SNOOZED), name="inbox_work_snoozed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state=State.SNOOZED, snooze_until__isnull=False) | ~Q(state=State.SNOOZED),
                name="inbox_snoozed_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"conversation {self.conversation_id}: {self.state}"


class Label(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="inbox_labels")
    name = models.CharField(max_length=50)
    colour = models.CharField(max_length=7, default=DEFAULT_COLOUR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="inbox_label_name_per_account")]
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ConversationLabel(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="inbox_labels")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="conversations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "label"], name="inbox_label_once")]
        indexes = [models.Index(fields=["label", "conversation"], name="inbox_by_label")]


class Note(models.Model):
    """An internal note on a conversation: staff read it, it is never sent."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="inbox_notes")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="inbox_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="inbox_notes")
    #: The author's name when written (kept if the person goes away), or the API key's.
    author_label = models.CharField(max_length=150)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at"], name="inbox_note_thread")]
        ordering = ["created_at", "pk"]


class CannedReply(models.Model):
    """A snippet an agent inserts with ``/shortcut``; its body is a campaign template."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="inbox_canned_replies")
    shortcut = models.CharField(max_length=40)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "shortcut"], name="inbox_shortcut_per_account")]
        ordering = ["shortcut", "pk"]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class Availability(models.Model):
    """Whether a person takes new conversations from the round-robin (off until they say)."""

    membership = models.OneToOneField(Membership, primary_key=True, on_delete=models.CASCADE,
                                      related_name="inbox_availability")
    available = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)


class AssignmentSettings(models.Model):
    """An account's assignment rule, and where its round-robin stands."""

    account = models.OneToOneField(Account, primary_key=True, on_delete=models.CASCADE,
                                   related_name="inbox_assignment")
    rule = models.CharField(max_length=16, choices=Rule.choices, default=Rule.MANUAL)
    #: The user the round-robin gave the last conversation to: the next goes to the one after.
    last_assigned = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        verbose_name_plural = "inbox settings"
