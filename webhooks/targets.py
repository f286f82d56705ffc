"""Which URLs webhooks may POST to.

http(s) only; a host that resolves to a loopback, private, link-local, multicast,
reserved or cloud-metadata address is refused, at creation and again before each drain
(DNS can change), unless ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` is on (development, tests).
Redirects are never followed, so a public URL cannot bounce a request inward.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from outreach.exceptions import InvalidInput

#: Names that reach a cloud's instance metadata service even where DNS says otherwise.
METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"}
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}


def check_syntax(url: str, field: str = "url") -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"{field} must be an http:// or https:// URL, got {url!r}.", field=field)
    if not parts.hostname:
        raise InvalidInput(f"{field} has no host: {url!r}.", field=field)
    try:
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise InvalidInput(f"{field} has an invalid port: {url!r}.", field=field)
    return url


def refused_reason(address: str) -> str | None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a private address"
    return None


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"url: the host {host!r} does not resolve ({exc}).", field="url")
    return sorted({info[4][0] for info in infos})


def check_target(url: str, field: str = "url") -> str:
    """Refuse a URL webhooks must not reach; the message says why."""
    check_syntax(url, field)
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return url
    parts = urlsplit(url)
    host = parts.hostname.rstrip(".").lower()
    if host in METADATA_HOSTS:
        raise InvalidInput(f"{field}: {host} is a cloud metadata service.", field=field)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for address in resolve(host, port):
        reason = refused_reason(address)
        if reason:
            raise InvalidInput(
                f"{field}: {host} resolves to {address}, {reason}; webhooks go to public hosts only.",
                field=field,
            )
    return url
