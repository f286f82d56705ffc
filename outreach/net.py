"""The one guard for server-side HTTP requests (webhooks, status callbacks, media copies).

Policy (``docs/security.md``, "Outbound requests"):

- http(s) only, a host, a valid port; no userinfo (``user@host``), no backslash, no
  whitespace or control characters, no percent-encoded or non-standard numeric host
  (``2130706433``, ``0x7f.1``), and the URL must read the same to ``urllib.parse`` and to
  urllib3 (which is what connects);
- the host is resolved once per connection and the connection is made to that checked
  address (pinned; the ``Host`` header, TLS SNI and certificate check keep the name), so DNS
  cannot answer differently between the check and the connect;
- loopback, private, link-local, multicast, reserved, shared (CGNAT), unspecified and cloud
  metadata addresses are refused (IPv4-mapped, 6to4 and NAT64 addresses are judged by the
  IPv4 address inside), unless ``OUTBOUND_ALLOW_PRIVATE_TARGETS`` is on (development, tests)
  or the address is in ``OUTBOUND_ALLOWED_NETWORKS``;
- redirects are never followed, proxies from the environment are ignored, time and
  response size are bounded.

``check_url`` validates a URL a client gives us (creation time); ``request`` and the
sessions from ``new_session`` enforce all of it again when connecting.
"""
from __future__ import annotations

import functools
import ipaddress
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from .exceptions import InvalidInput

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
#: (connect, read) seconds when the caller gives no timeout.
DEFAULT_TIMEOUT = (5.0, 10.0)
#: Bytes of a response body read when the caller gives no limit.
DEFAULT_MAX_BYTES = 1_000_000
CHUNK = 64 * 1024

#: Names that reach a cloud's instance metadata service even where DNS says otherwise.
METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data", "metadata.azure.com"}
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
}
#: Not global, though older Pythons' ``is_global`` says so (the list requests-hardened keeps).
EXTRA_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "192.0.0.0/24", "192.88.99.0/24", "100.64.0.0/10", "198.18.0.0/15",
        "64:ff9b:1::/48", "5f00::/16", "2001:20::/28", "3fff::/20",
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(InvalidInput):
    """A URL or address the guard will not connect to; nothing was sent."""

    def __init__(self, field: str, what: str):
        super().__init__(f"{field} {what}", field=field)
        #: The message without the field's name, to say it of another field.
        self.what = what


class ResponseTooLarge(requests.RequestException):
    """The response body is over the caller's ``max_bytes`` (the connection is dropped)."""


def private_allowed() -> bool:
    """``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` is the older name: turning either off refuses."""
    return bool(
        getattr(settings, "OUTBOUND_ALLOW_PRIVATE_TARGETS", False)
        and getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", settings.OUTBOUND_ALLOW_PRIVATE_TARGETS)
    )


# --- syntax -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, no brackets, no trailing dot
    port: int


def _refuse(field: str, what: str) -> OutboundRefused:
    return OutboundRefused(field, what)


def _normal_host(host: str) -> str:
    host = host.strip("[]").lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    return host


def _check_numeric(host: str, field: str) -> None:
    """A host whose last label is a number is an IPv4 address to a resolver (``127.1``,
    ``2130706433``, ``0x7f000001``, ``0177.0.0.1``): only the dotted-quad form is taken."""
    last = host.rsplit(".", 1)[-1]
    if ":" not in host and (last.isdigit() or last.startswith("0x")):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise _refuse(field, f"has an IPv4 address in a non-standard notation ({host!r}); write it as a.b.c.d.")


def parse(url, field: str = "url") -> Target:
    """The URL's scheme, host and port, or ``OutboundRefused`` saying what is wrong.

    A request checks its URL three times (the caller's, the prepared one, the pool key), and
    a webhook drain sends to one URL hundreds of times: the checks of a URL are computed
    once per process (a pure function of the string; DNS is not part of it)."""
    if not isinstance(url, str) or not url:
        raise _refuse(field, "must be an http:// or https:// URL.")
    try:
        return _parse(url)
    except OutboundRefused as exc:
        raise _refuse(field, exc.what) from None


@functools.lru_cache(maxsize=2048)
def _parse(url: str) -> Target:
    field = "url"  # parse() says it of the caller's field
    if "\\" in url:
        raise _refuse(field, "must not contain a backslash.")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise _refuse(field, "must not contain spaces or control characters.")
    try:
        split, parsed = urlsplit(url), parse_url(url)
        port = split.port
    except (ValueError, LocationParseError):
        raise _refuse(field, f"is not a valid URL (check the host and port): {url!r}.")
    scheme = split.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise _refuse(field, f"must be an http:// or https:// URL, got {scheme or 'no'} scheme.")
    if "@" in split.netloc or parsed.auth:
        raise _refuse(field, "must not contain a user name or password (user@host).")
    if not split.hostname or not parsed.host:
        raise _refuse(field, f"has no host: {url!r}.")
    if "%" in split.hostname:
        raise _refuse(field, "must not have a percent-encoded host.")
    host = _normal_host(split.hostname)
    if not host or host != _normal_host(parsed.host) or port != parsed.port:
        raise _refuse(field, "is read differently by different URL parsers; write it plainly.")
    if port == 0:
        raise _refuse(field, "has an invalid port: 0.")
    _check_numeric(host, field)
    return Target(scheme, host, port or DEFAULT_PORTS[scheme])


# --- addresses ----------------------------------------------------------------------------


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if ip.version != 6:
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refused_reason(ip: IPAddress) -> str | None:
    """Why the guard will not connect to ``ip`` (None: it will)."""
    if any(ip in ipaddress.ip_network(n) for n in getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", ())):
        return None
    inner = _embedded_ipv4(ip)
    if inner is not None:
        reason = refused_reason(inner)
        return f"{reason} ({inner}, embedded in {ip})" if reason else None
    checks = (
        (ip in METADATA_ADDRESSES, "a cloud metadata address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip == ipaddress.IPv4Address("255.255.255.255"), "a broadcast address"),
        (ip.is_private or ip.is_reserved, "a private address"),
        (not ip.is_global or any(ip in n for n in EXTRA_REFUSED_NETWORKS), "a non-public address"),
    )
    return next((reason for hit, reason in checks if hit), None)


def _check_name(host: str, field: str) -> None:
    if host in METADATA_HOSTS:
        raise _refuse(field, f"is refused: {host} is a cloud metadata service; outbound requests go to public hosts only.")
    if host == "localhost" or host.endswith(".localhost"):
        raise _refuse(field, f"is refused: {host} is a loopback name; outbound requests go to public hosts only.")


def resolve(target: Target, field: str = "url") -> list[IPAddress]:
    """Every address the host resolves to, each checked; refused if any is not allowed."""
    allowed = private_allowed()
    if not allowed:
        _check_name(target.host, field)
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _refuse(field, f"is refused: the host {target.host} does not resolve ({exc}).")
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    if not addresses:
        raise _refuse(field, f"is refused: the host {target.host} does not resolve.")
    for ip in addresses if not allowed else ():
        reason = refused_reason(ip)
        if reason:
            logger.warning("outbound request refused: %s resolves to %s, %s", target.host, ip, reason)
            where = f"{ip} is" if str(ip) == target.host else f"{target.host} resolves to {ip},"
            raise _refuse(field, f"is refused: {where} {reason}; outbound requests go to public hosts only.")
    return addresses


def check_url(url, *, field: str = "url", resolve_host: bool = True) -> str:
    """``url`` if the guard would fetch it, else ``OutboundRefused`` (an ``InvalidInput``
    for ``field``). ``resolve_host=False`` checks the syntax only (no DNS: for request
    paths that must stay fast; the connection is checked again anyway)."""
    target = parse(url, field)
    if resolve_host and not private_allowed():
        resolve(target, field)
    return url


# --- connecting ---------------------------------------------------------------------------


class PinnedAdapter(HTTPAdapter):
    """Connects to the address ``resolve`` checked, the technique of requests-hardened's
    ``IPFilterAdapter``: the pool is keyed by that address, the ``Host`` header, TLS SNI and
    the certificate check keep the name. A refused URL raises before any connection."""

    def send(self, request, **kwargs):
        if kwargs.get("proxies"):
            raise _refuse("url", "is refused: outbound requests do not go through proxies.")
        parse(request.url)  # what requests prepared, not only what the caller gave
        return super().send(request, **kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        target = parse(request.url)
        ip = resolve(target)[0]
        name = f"[{target.host}]" if ":" in target.host else target.host
        # A copy: the caller's headers may be shared between requests.
        request.headers = CaseInsensitiveDict(request.headers)
        request.headers["Host"] = name if target.port == DEFAULT_PORTS[target.scheme] else f"{name}:{target.port}"
        if target.scheme == "https":
            pool_kwargs["assert_hostname"] = target.host
            pool_kwargs["server_hostname"] = target.host
        host_params["host"] = f"[{ip}]" if ip.version == 6 else str(ip)
        return host_params, pool_kwargs


class GuardedSession(requests.Session):
    """A keep-alive session that only connects where the guard allows: pinned addresses,
    no redirects, no proxies from the environment, a default timeout."""

    def __init__(self, pool_connections: int = 10, pool_maxsize: int = 10):
        super().__init__()
        # Proxy variables would reach hosts the guard refused (and cost a lookup per request).
        self.trust_env = False
        adapter = PinnedAdapter(pool_connections=pool_connections, pool_maxsize=pool_maxsize, max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request, **kwargs):
        kwargs["allow_redirects"] = False  # a public URL must not bounce a request inward
        kwargs["timeout"] = kwargs.get("timeout") or DEFAULT_TIMEOUT
        return super().send(request, **kwargs)


_session: GuardedSession | None = None


def session() -> GuardedSession:
    """The process's shared guarded session (callers wanting their own pool sizes or
    headers make one with ``GuardedSession``)."""
    global _session
    if _session is None:
        _session = GuardedSession()
    return _session


def request(
    method: str, url: str, *, field: str = "url", max_bytes: int = DEFAULT_MAX_BYTES, truncate: bool = False,
    timeout=DEFAULT_TIMEOUT, using: requests.Session | None = None, **kwargs,
) -> requests.Response:
    """Send one request through the guard and read at most ``max_bytes`` of the body (more
    raises ``ResponseTooLarge``, or with ``truncate`` keeps the first ``max_bytes``).

    Raises ``OutboundRefused`` (for ``field``) before connecting to a refused URL or
    address, ``requests.RequestException`` for network failures. Redirects are returned,
    never followed."""
    for name in ("allow_redirects", "stream", "proxies"):
        if name in kwargs:
            raise TypeError(f"net.request does not take {name}: redirects, streaming and proxies are fixed.")
    parse(url, field)
    try:
        response = (using or session()).request(method, url, timeout=timeout, stream=True, **kwargs)
    except OutboundRefused as exc:
        raise _refuse(field, exc.what) from None
    _read(response, max_bytes, truncate)
    return response


@functools.lru_cache(maxsize=2048)
def _prepared_url(url: str) -> str:
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    return prepared.url


def send_body(
    session: GuardedSession, method: str, url: str, *, body: bytes, headers: dict, timeout,
    max_bytes: int = DEFAULT_MAX_BYTES, truncate: bool = False, field: str = "url",
) -> requests.Response:
    """``request`` for a hot loop (a webhook batch): the same guard (the URL checked, the
    pinned adapter connecting to the checked address, no redirects, no proxies, the body
    read up to ``max_bytes``), without requests' session layer (cookies, auth, environment
    settings, hooks, redirect handling), which costs about as much CPU as the POST itself.
    ``body`` is sent as given with the session's headers and ``headers``."""
    parse(url, field)
    prepared = requests.PreparedRequest()
    prepared.method = method
    prepared.url = _prepared_url(url)
    prepared.headers = CaseInsensitiveDict(session.headers)
    prepared.headers.update(headers)
    prepared.headers["Content-Length"] = str(len(body))
    prepared.body = body
    try:
        response = session.get_adapter(prepared.url).send(
            prepared, stream=True, timeout=timeout or DEFAULT_TIMEOUT, verify=session.verify, cert=session.cert,
            proxies={},
        )
    except OutboundRefused as exc:
        raise _refuse(field, exc.what) from None
    _read(response, max_bytes, truncate)
    return response


def _read(response: requests.Response, max_bytes: int, truncate: bool) -> None:
    body = bytearray()
    complete = False
    try:
        for chunk in response.iter_content(CHUNK):
            body += chunk
            if len(body) > max_bytes:
                if not truncate:
                    raise ResponseTooLarge(f"The response is over {max_bytes} bytes.", response=response)
                del body[max_bytes:]
                break
        else:
            complete = True
    finally:
        if not complete:
            response.raw.close()  # unread bytes: this connection cannot go back to the pool
        response._content = bytes(body)
        response._content_consumed = True
        response.close()
