"""What a media file is, from its bytes: never from the name or Content-Type it came with.

Uploaded media is served on the console's own origin, so a type taken from the client (a
file named ``evil.png`` sent as ``text/html``) would be a stored XSS. The type is read
from the content (magic bytes, the ``filetype`` library, plus the two formats it does not
know: CAF voice notes and vCards) and must be one the file's extension allows; the type
stored and served is ours, one per format.
"""
from __future__ import annotations

import filetype

from outreach.exceptions import InvalidInput

#: Extension -> the types (as detected) a file with it may contain, and the type we serve.
ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    ".png": (frozenset({"image/png", "image/apng"}), "image/png"),
    ".jpg": (frozenset({"image/jpeg"}), "image/jpeg"),
    ".jpeg": (frozenset({"image/jpeg"}), "image/jpeg"),
    ".gif": (frozenset({"image/gif"}), "image/gif"),
    ".heic": (frozenset({"image/heic", "image/avif"}), "image/heic"),
    ".heif": (frozenset({"image/heic", "image/avif"}), "image/heif"),
    ".webp": (frozenset({"image/webp"}), "image/webp"),
    ".tiff": (frozenset({"image/tiff"}), "image/tiff"),
    ".bmp": (frozenset({"image/bmp"}), "image/bmp"),
    ".mp4": (frozenset({"video/mp4", "video/x-m4v", "video/quicktime"}), "video/mp4"),
    ".mov": (frozenset({"video/quicktime", "video/mp4"}), "video/quicktime"),
    ".m4v": (frozenset({"video/x-m4v", "video/mp4"}), "video/x-m4v"),
    ".3gp": (frozenset({"video/3gpp", "video/mp4"}), "video/3gpp"),
    ".caf": (frozenset({"audio/x-caf"}), "audio/x-caf"),
    ".m4a": (frozenset({"audio/mp4", "video/mp4"}), "audio/mp4"),
    ".mp3": (frozenset({"audio/mpeg"}), "audio/mpeg"),
    ".wav": (frozenset({"audio/x-wav"}), "audio/wav"),
    ".pdf": (frozenset({"application/pdf"}), "application/pdf"),
    ".vcf": (frozenset({"text/vcard"}), "text/vcard"),
}
#: Every type we store and serve.
SERVED = frozenset(served for _, served in ALLOWED.values())
#: Shown in the page; anything else is downloaded (Content-Disposition: attachment).
INLINE_PREFIXES = ("image/", "video/", "audio/")


def detect(head: bytes) -> str:
    """The type the content says it is (the first few KB are enough), or a description
    of what it looks like when it is none we know."""
    if head.startswith(b"caff"):
        return "audio/x-caf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:11].upper() == b"BEGIN:VCARD":
        return "text/vcard"
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if text[:1] == b"<":
        return "text/html or other markup"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised binary data"
    return "text"


def checked_type(head: bytes, extension: str, field: str) -> str:
    """The type to store for a file with this extension and content, or 400 saying what
    the content was found to be."""
    allowed, served = ALLOWED[extension]
    detected = detect(head)
    if detected not in allowed:
        raise InvalidInput(
            f"{field} is named {extension} but its content is {detected}, not {served}; "
            "only images, videos, audio, PDFs and vCards whose content matches their extension are accepted.",
            field=field,
        )
    return served


def is_inline(content_type: str) -> bool:
    return content_type in SERVED and content_type.startswith(INLINE_PREFIXES)
