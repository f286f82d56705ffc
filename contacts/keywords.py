"""Reply keywords, per account: the words that opt a contact out, back in, or ask for help,
and the automatic reply to each (Twilio's "Advanced Opt-Out").

``keyword_action(account, text)`` is what an inbound message's handler asks: which action a
reply is (``KeywordAction``, or None when it is no keyword) and the text to answer with
(None when that reply is off or empty). A reply is a keyword when, upper-cased with its
spaces collapsed, it equals one of the list's words (``stop`` and `` Stop `` are STOP;
"please stop" is no keyword). An account without settings has the defaults: the opt-out
and opt-in words messaging has always honoured (``messaging.choices.OPT_OUT_KEYWORDS`` and
``OPT_IN_KEYWORDS``; this app sits below messaging, so they are repeated here and a test
holds them equal) and HELP/INFO; the opt-out confirmation is off (carriers and providers
often send their own), the opt-in and HELP replies on.
"""
from __future__ import annotations

from django.db import transaction

from outreach.exceptions import InvalidInput
from outreach.models import Account

from .choices import KeywordAction
from .models import KeywordSettings

A = KeywordAction
DEFAULT_KEYWORDS: dict[str, list[str]] = {
    A.OPT_OUT: sorted({"STOP", "QUIT", "END", "REVOKE", "OPT OUT", "OPTOUT", "CANCEL", "UNSUBSCRIBE", "STOPALL"}),
    A.OPT_IN: sorted({"START", "UNSTOP"}),
    A.HELP: ["HELP", "INFO"],
}
DEFAULT_REPLIES: dict[str, str] = {
    A.OPT_OUT: "{account}: you are unsubscribed and will get no more messages. Reply START to subscribe again.",
    A.OPT_IN: "{account}: you are subscribed again. Reply STOP to unsubscribe.",
    A.HELP: "{account}: reply STOP to unsubscribe, START to subscribe again.",
}
DEFAULT_ON = {A.OPT_OUT: False, A.OPT_IN: True, A.HELP: True}
#: The word carriers require to work everywhere: the opt-out list always has it.
REQUIRED_OPT_OUT = "STOP"
MAX_KEYWORD, MAX_KEYWORDS, MAX_REPLY = 40, 30, 320


def normalize(text: str) -> str:
    """A reply as the keyword it may be (upper case, spaces collapsed)."""
    return " ".join((text or "").upper().split())


def settings_for(account: Account) -> KeywordSettings:
    """The account's settings, or (unsaved) the defaults; reading never writes."""
    found = KeywordSettings.objects.filter(account=account).first()
    return found or defaults(account)


def defaults(account: Account) -> KeywordSettings:
    fields = {}
    for action in A.values:
        fields[f"{action}_keywords"] = list(DEFAULT_KEYWORDS[action])
        fields[f"{action}_reply"] = DEFAULT_REPLIES[action].format(account=account.name)
        fields[f"{action}_reply_on"] = DEFAULT_ON[action]
    return KeywordSettings(account=account, **fields)


def keyword_action(account: Account, text: str) -> tuple[str | None, str | None]:
    """``(action, reply_text)`` for an inbound ``text``: the ``KeywordAction`` it is (None if
    no keyword) and the automatic reply to send (None when off or empty). One query."""
    word = normalize(text)
    if not word:
        return None, None
    found = settings_for(account)
    for action in (A.OPT_OUT, A.OPT_IN, A.HELP):
        if word in getattr(found, f"{action}_keywords"):
            on, reply = getattr(found, f"{action}_reply_on"), getattr(found, f"{action}_reply").strip()
            return action.value, (reply if on and reply else None)
    return None, None


def _keywords(raw, field: str, errors: dict[str, str]) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        errors[field] = f"{field}: give a list of words."
        return []
    words = sorted({normalize(w) for w in raw if normalize(w)})
    if not words:
        errors[field] = f"{field}: give at least one word."
    elif len(words) > MAX_KEYWORDS or any(len(w) > MAX_KEYWORD for w in words):
        errors[field] = f"{field}: at most {MAX_KEYWORDS} words of up to {MAX_KEYWORD} characters."
    return words


def _check(data: dict, current: KeywordSettings) -> dict:
    """Every field of ``data`` (missing ones keep ``current``'s) judged at once."""
    errors: dict[str, str] = {}
    out = {}
    for action in A.values:
        field = f"{action}_keywords"
        out[field] = _keywords(data[field], field, errors) if field in data else getattr(current, field)
        for name, kind in ((f"{action}_reply", str), (f"{action}_reply_on", bool)):
            value = data.get(name, getattr(current, name))
            if not isinstance(value, kind) or (kind is str and len(value.strip()) > MAX_REPLY):
                errors[name] = (f"{name}: text of up to {MAX_REPLY} characters." if kind is str
                                else f"{name}: true or false.")
            out[name] = value.strip() if isinstance(value, str) else value
        if out[f"{action}_reply_on"] is True and isinstance(out[f"{action}_reply"], str) \
                and not out[f"{action}_reply"] and f"{action}_reply" not in errors:
            errors[f"{action}_reply"] = f"{action}_reply: write the reply, or turn it off."
    if "opt_out_keywords" not in errors and REQUIRED_OPT_OUT not in out["opt_out_keywords"]:
        errors["opt_out_keywords"] = f"opt_out_keywords must include {REQUIRED_OPT_OUT} (carriers require it)."
    _check_overlap(out, errors)
    if errors:
        raise InvalidInput.of_fields(errors)
    return out


def _check_overlap(out: dict, errors: dict[str, str]) -> None:
    seen: dict[str, str] = {}
    for action in A.values:
        field = f"{action}_keywords"
        for word in out[field]:
            if word in seen and field not in errors:
                errors[field] = f"{field}: {word} is already in {seen[word]}; a word has one meaning."
            seen.setdefault(word, field)


@transaction.atomic
def update(account: Account, data: dict) -> KeywordSettings:
    """Save the account's keywords and replies (the fields given; the rest stay); every
    bad field is named in one InvalidInput."""
    current = KeywordSettings.objects.select_for_update().filter(account=account).first() or defaults(account)
    for name, value in _check(data, current).items():
        setattr(current, name, value)
    current.save()
    return current
