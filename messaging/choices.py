"""Constants of messaging."""
from django.db import models


class Provider(models.TextChoices):
    SANDBOX = "sandbox", "Sandbox (simulated carrier)"
    BLUEBUBBLES = "bluebubbles", "BlueBubbles (real iMessage via a Mac)"


class Status(models.TextChoices):
    """The canonical status machine (see messaging/status.py for the transitions)."""

    REGISTERED = "REGISTERED"
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    ACCEPTED = "ACCEPTED"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    READ = "READ"
    DECLINED = "DECLINED"
    ERROR = "ERROR"
    RECEIVED = "RECEIVED"
    #: Not sent by its ``expires_at``: withdrawn, never sent late.
    EXPIRED = "EXPIRED"


class Service(models.TextChoices):
    IMESSAGE = "iMessage"
    SMS = "SMS"
    RCS = "RCS"


class MessageType(models.TextChoices):
    MESSAGE = "message"
    GROUP = "group"


class Tapback(models.TextChoices):
    """iMessage's reactions to a message."""

    LOVE = "love", "♥ Love"
    LIKE = "like", "👍 Like"
    DISLIKE = "dislike", "👎 Dislike"
    LAUGH = "laugh", "Ha ha"
    EMPHASIZE = "emphasize", "‼ Emphasize"
    QUESTION = "question", "? Question"


class SendStyle(models.TextChoices):
    """The 13 expressive styles of seed 002."""

    CELEBRATION = "celebration"
    SHOOTING_STAR = "shooting_star"
    FIREWORKS = "fireworks"
    LASERS = "lasers"
    LOVE = "love"
    CONFETTI = "confetti"
    BALLOONS = "balloons"
    SPOTLIGHT = "spotlight"
    ECHO = "echo"
    INVISIBLE = "invisible"
    GENTLE = "gentle"
    LOUD = "loud"
    SLAM = "slam"


class ErrorCode(models.IntegerChoices):
    """Sendblue's error codes (seed 001)."""

    VALIDATION = 4000
    RATE_LIMIT = 4001
    BLACKLISTED = 4002
    INTERNAL = 5000
    SERVER_RATE = 5003
    SEND_FAILED = 10001
    STATUS_UNRESOLVED = 10002


class ErrorKey(models.TextChoices):
    """Why a message was declined or failed, in words a program can switch on."""

    OPTED_OUT = "OPTED_OUT"
    BLACKLISTED = "BLACKLISTED"
    WITHDRAWN = "WITHDRAWN"
    QUIET_HOURS_EXPIRED = "QUIET_HOURS_EXPIRED"
    SEND_FAILED = "SEND_FAILED"
    MEDIA_TOO_LARGE = "MEDIA_TOO_LARGE"
    #: media_url is an address or redirect the outbound guard refuses (outreach/net.py).
    MEDIA_REFUSED = "MEDIA_REFUSED"
    #: A scheduled message cancelled before its time.
    CANCELLED = "CANCELLED"
    #: Not sent by its ``expires_at``.
    EXPIRED = "EXPIRED"


class EventSource(models.TextChoices):
    API = "api"
    CONSOLE = "console"
    CAMPAIGN = "campaign"
    DISPATCHER = "dispatcher"
    PROVIDER = "provider"
    SYSTEM = "system"


#: Replies that opt the sender out of the account's messages, or back in.
OPT_OUT_KEYWORDS = {"STOP", "QUIT", "END", "REVOKE", "OPT OUT", "OPTOUT", "CANCEL", "UNSUBSCRIBE", "STOPALL"}
OPT_IN_KEYWORDS = {"START", "UNSTOP"}


def keyword(content: str) -> str:
    """A reply as the keyword it may be (upper case, spaces collapsed)."""
    return " ".join((content or "").upper().split())
