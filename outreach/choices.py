"""Constants of the core, as choices classes."""
from django.db import models


class Scope(models.TextChoices):
    FULL_ACCESS = "full_access", "Full access"
    READ_ONLY = "read_only", "Read only"
    CONTACTS = "contacts", "Contacts"
    CAMPAIGNS = "campaigns", "Campaigns"
    MESSAGES = "messages", "Messages"


class Family(models.TextChoices):
    """The resource family an API view belongs to; scopes grant families."""

    ACCOUNT = "account", "Account"
    CONTACTS = "contacts", "Contacts and lists"
    CAMPAIGNS = "campaigns", "Campaigns"
    MESSAGES = "messages", "Messages"
    WEBHOOKS = "webhooks", "Webhooks"


#: Which scope may write which family. ``read_only`` reads every family, writes none;
#: ``full_access`` reads and writes all. Families absent here are full_access-only writes.
SCOPE_WRITES: dict[str, set[str]] = {
    Scope.CONTACTS: {Family.CONTACTS},
    Scope.CAMPAIGNS: {Family.CAMPAIGNS},
    Scope.MESSAGES: {Family.MESSAGES},
}


class Dialect(models.TextChoices):
    """The wire dialect an API key's messages and callbacks speak (seeds 001/002 vs 000)."""

    SENDBLUE = "sendblue", "Sendblue"
    ARNIO = "arnio", "Arnio"


class Role(models.TextChoices):
    """A person's role in an account, highest first (``outreach.roles`` says what each may do)."""

    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Agent"
    VIEWER = "viewer", "Viewer"


#: Each role outranks the ones after it: a rule naming a role admits every higher one.
ROLE_RANK: dict[str, int] = {Role.VIEWER: 0, Role.AGENT: 1, Role.MANAGER: 2, Role.OWNER: 3}


class Plan(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox"
    DEDICATED = "dedicated", "Dedicated"
    ENTERPRISE = "enterprise", "Enterprise"


class AuditAction(models.TextChoices):
    """What a person did, as the audit log names it (``outreach.audit.record``)."""

    MESSAGE_SENT = "message.sent", "Sent a message"
    REACTION_SENT = "message.reaction_sent", "Sent a reaction"
    SCHEDULED_CANCELLED = "message.scheduled_cancelled", "Cancelled a scheduled message"
    DEAD_LETTER_RETRIED = "message.dead_letter_retried", "Retried a dead letter"
    DEAD_LETTER_DISCARDED = "message.dead_letter_discarded", "Discarded a dead letter"
    CONTACT_CREATED = "contact.created", "Added a contact"
    CONTACT_CHANGED = "contact.changed", "Changed a contact"
    CONTACT_DELETED = "contact.deleted", "Deleted a contact"
    CONTACT_OPTED_OUT = "contact.opted_out", "Opted a contact out"
    CONTACT_OPTED_IN = "contact.opted_in", "Opted a contact back in"
    CAMPAIGN_CREATED = "campaign.created", "Created a campaign"
    CAMPAIGN_STARTED = "campaign.started", "Started a campaign"
    CAMPAIGN_PAUSED = "campaign.paused", "Paused a campaign"
    CAMPAIGN_RESUMED = "campaign.resumed", "Resumed a campaign"
    CAMPAIGN_STOPPED = "campaign.stopped", "Stopped a campaign"
    CAMPAIGN_CHANGED = "campaign.changed", "Changed a campaign"
    CAMPAIGN_CLONED = "campaign.cloned", "Cloned a campaign"
    CAMPAIGN_TEST_SENT = "campaign.test_sent", "Sent a campaign test message"
    CAMPAIGN_RESENT = "campaign.resent", "Queued a campaign's failed messages again"
    EXPORT_CREATED = "export.created", "Started an export"
    LINK_TRACKING_CHANGED = "account.link_tracking_changed", "Changed link tracking"
    RETENTION_CHANGED = "account.retention_changed", "Changed data retention"
    API_KEY_CREATED = "api_key.created", "Created an API key"
    API_KEY_REVOKED = "api_key.revoked", "Revoked an API key"
    LINE_ADDED = "line.added", "Added a line"
    LINE_CHANGED = "line.changed", "Changed a line"
    PERSON_INVITED = "person.invited", "Invited a person"
    INVITATION_WITHDRAWN = "person.invitation_withdrawn", "Withdrew an invitation"
    PERSON_JOINED = "person.joined", "Accepted an invitation"
    PERSON_ROLE_CHANGED = "person.role_changed", "Changed a person's role"
    PERSON_DEACTIVATED = "person.deactivated", "Deactivated a person"
    PERSON_REACTIVATED = "person.reactivated", "Reactivated a person"
    WEBHOOK_CREATED = "webhook.created", "Added a webhook endpoint"
    WEBHOOK_CHANGED = "webhook.changed", "Changed a webhook endpoint"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated", "Rotated a webhook signing secret"
    WEBHOOK_TOGGLED = "webhook.toggled", "Enabled or disabled a webhook endpoint"
    WEBHOOK_DELETED = "webhook.deleted", "Deleted a webhook endpoint"
    CONVERSATION_ASSIGNED = "conversation.assigned", "Assigned a conversation"
    CONVERSATION_CLOSED = "conversation.closed", "Closed a conversation"
    CONVERSATION_REOPENED = "conversation.reopened", "Reopened a conversation"
    CONVERSATION_SNOOZED = "conversation.snoozed", "Snoozed a conversation"
    CONVERSATION_LABELLED = "conversation.labelled", "Changed a conversation's labels"
    NOTE_ADDED = "conversation.note_added", "Added an internal note"
    LABEL_CHANGED = "inbox.label_changed", "Added, changed or deleted a label"
    CANNED_REPLY_CHANGED = "inbox.canned_reply_changed", "Added, changed or deleted a canned reply"
    INBOX_RULE_CHANGED = "inbox.rule_changed", "Changed the assignment rule"
    AVAILABILITY_CHANGED = "inbox.availability_changed", "Changed their availability"


class RetentionMode(models.TextChoices):
    """What happens to a message past the account's message retention."""

    REDACT = "redact", "Redact the body and media (the message and its status stay)"
    DELETE = "delete", "Delete the message"
