"""The SSRF test table and its fixtures, for every server-side fetch path (a pytest plugin,
loaded by the root conftest).

- ``ssrf_urls(port)``: URLs the outbound guard must refuse, as (label, url). The loopback
  ones point at ``port`` (a ``canary``'s), so a test can assert nothing connected.
- ``canary``: a TCP listener on 127.0.0.1 counting accepted connections (and answering
  a canned HTTP response, if given one).
- ``no_outside_traffic``: refuses and records any connection outside 127.0.0.0/8 and ::1
  and any name lookup it was not told about (``.names``), so no test leaves the machine.
- ``private_targets_refused``: turns the "allow private targets" settings off.

A test of a fetch path: with ``private_targets_refused``, ``no_outside_traffic`` and a
``canary``, drive the path for each URL and assert the refusal, ``canary.connections == 0``
and ``no_outside_traffic.attempts == []``.
"""
from __future__ import annotations

import ipaddress
import socket
import threading

import pytest

#: (label, url template); ``{port}`` is the canary's port.
SSRF_TARGETS: list[tuple[str, str]] = [
    # loopback, in every notation
    ("loopback", "http://127.0.0.1:{port}/hook"),
    ("loopback https", "https://127.0.0.1:{port}/hook"),
    ("short form", "http://127.1:{port}/hook"),
    ("decimal", "http://2130706433:{port}/hook"),
    ("hex", "http://0x7f000001:{port}/hook"),
    ("dotted hex", "http://0x7f.0.0.1:{port}/hook"),
    ("octal", "http://0177.0.0.1:{port}/hook"),
    ("octal whole", "http://017700000001:{port}/hook"),
    ("zero", "http://0:{port}/hook"),
    ("unspecified", "http://0.0.0.0:{port}/hook"),
    ("other loopback", "http://127.0.0.2:{port}/hook"),
    ("ipv6 loopback", "http://[::1]:{port}/hook"),
    ("ipv6 unspecified", "http://[::]:{port}/hook"),
    ("ipv4-mapped", "http://[::ffff:127.0.0.1]:{port}/hook"),
    ("ipv4-mapped hex", "http://[::ffff:7f00:1]:{port}/hook"),
    ("ipv4-mapped long", "http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/hook"),
    ("ipv4-compatible", "http://[::127.0.0.1]:{port}/hook"),
    ("nat64", "http://[64:ff9b::127.0.0.1]:{port}/hook"),
    ("6to4", "http://[2002:7f00:1::]:{port}/hook"),
    ("localhost", "http://localhost:{port}/hook"),
    ("localhost dot", "http://localhost.:{port}/hook"),
    ("localhost upper", "http://LOCALHOST:{port}/hook"),
    ("localhost subdomain", "http://api.localhost:{port}/hook"),
    ("trailing dot", "http://127.0.0.1.:{port}/hook"),
    # parser confusion
    ("userinfo", "http://a@127.0.0.1:{port}/hook"),
    ("userinfo public", "http://93.184.216.34@127.0.0.1:{port}/hook"),
    ("userinfo password", "http://user:pass@127.0.0.1:{port}/hook"),
    ("userinfo loopback-looking", "http://127.0.0.1:{port}@93.184.216.34/hook"),
    ("backslash before @", "http://127.0.0.1:{port}\\@93.184.216.34/hook"),
    ("backslash after public", "http://93.184.216.34\\@127.0.0.1:{port}/hook"),
    ("backslash path", "http://127.0.0.1:{port}\\hook"),
    ("percent host", "http://%31%32%37.0.0.1:{port}/hook"),
    ("percent dot", "http://127%2e0%2e0%2e1:{port}/hook"),
    ("percent localhost", "http://%6c%6f%63%61%6c%68%6f%73%74:{port}/hook"),
    ("question mark", "http://127.0.0.1:{port}?@93.184.216.34/hook"),
    ("fragment", "http://127.0.0.1:{port}#@93.184.216.34/hook"),
    ("tab", "http://127.0.0.1:{port}/ho\tok"),
    ("newline", "http://127.0.0.1:{port}/hook\r\nX-Injected: 1"),
    # metadata, link-local
    ("aws metadata", "http://169.254.169.254/latest/meta-data/"),
    ("ecs metadata", "http://169.254.170.2/v2/credentials"),
    ("gcp metadata name", "http://metadata.google.internal/computeMetadata/v1/"),
    ("gcp metadata short", "http://metadata/computeMetadata/v1/"),
    ("alibaba metadata", "http://100.100.100.200/latest/meta-data/"),
    ("aws ipv6 metadata", "http://[fd00:ec2::254]/latest/meta-data/"),
    ("mapped metadata", "http://[::ffff:169.254.169.254]/latest/"),
    ("link-local", "http://169.254.10.10/hook"),
    ("ipv6 link-local", "http://[fe80::1]/hook"),
    ("ipv6 zone", "http://[fe80::1%25eth0]/hook"),
    # private, shared, special
    ("10/8", "http://10.0.0.1/hook"),
    ("172.16/12", "http://172.16.0.1/hook"),
    ("192.168/16", "http://192.168.1.1/hook"),
    ("unique local", "http://[fc00::1]/hook"),
    ("cgnat", "http://100.64.0.1/hook"),
    ("broadcast", "http://255.255.255.255/hook"),
    ("multicast", "http://224.0.0.1/hook"),
    ("ipv6 multicast", "http://[ff02::1]/hook"),
    ("reserved", "http://240.0.0.1/hook"),
    ("documentation", "http://192.0.2.1/hook"),
    ("benchmarking", "http://198.18.0.1/hook"),
    # schemes and malformed
    ("file", "file:///etc/passwd"),
    ("gopher", "gopher://127.0.0.1:{port}/_PING"),
    ("ftp", "ftp://127.0.0.1:{port}/"),
    ("dict", "dict://127.0.0.1:{port}/info"),
    ("ws", "ws://127.0.0.1:{port}/"),
    ("javascript", "javascript:alert(1)"),
    ("data", "data:text/plain,hi"),
    ("no scheme", "//127.0.0.1:{port}/hook"),
    ("no host", "http:///hook"),
    ("bad port", "http://127.0.0.1:99999/hook"),
    ("port zero", "http://127.0.0.1:0/hook"),
]


def ssrf_urls(port: int) -> list[tuple[str, str]]:
    return [(label, url.replace("{port}", str(port))) for label, url in SSRF_TARGETS]


class Canary:
    """A listener on ``host`` that counts accepted connections; answers each with
    ``response`` (bytes) if set, else closes it."""

    def __init__(self, host: str = "127.0.0.1", response: bytes = b""):
        self.response = response
        self.connections = 0
        #: the bytes each connection sent first
        self.received: list[bytes] = []
        self._sock = socket.create_server((host, 0))
        self._sock.settimeout(0.2)
        self.host, self.port = host, self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    self.received.append(conn.recv(65536))
                    conn.sendall(self.response)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()


class OutsideTraffic:
    """Refuses (and records) connections outside loopback and lookups of unknown names."""

    def __init__(self, monkeypatch):
        #: name -> address the fake resolver answers (e.g. ``{"public.test": "127.0.0.2"}``).
        self.names: dict[str, str] = {}
        #: every refused connect or lookup, in order
        self.attempts: list[str] = []
        #: every lookup of a name in ``names``, in order
        self.lookups: list[str] = []
        real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
        guard = self

        def getaddrinfo(host, port, *args, **kwargs):
            name = host.decode() if isinstance(host, bytes) else host
            if name in guard.names:
                guard.lookups.append(name)
                return real_getaddrinfo(guard.names[name], port, *args, **kwargs)
            try:
                ipaddress.ip_address(str(name).split("%")[0])
            except ValueError:
                guard.attempts.append(f"lookup {name}")
                raise socket.gaierror(socket.EAI_NONAME, f"lookup of {name} refused by the test")
            return real_getaddrinfo(host, port, *args, **kwargs)

        def connect(sock, address):
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                ip = ipaddress.ip_address(address[0].split("%")[0])
                if not (getattr(ip, "ipv4_mapped", None) or ip).is_loopback:
                    guard.attempts.append(f"connect {address[0]}")
                    raise ConnectionRefusedError(f"connection to {address[0]} refused by the test")
            return real_connect(sock, address)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture
def no_outside_traffic(monkeypatch):
    return OutsideTraffic(monkeypatch)


@pytest.fixture
def private_targets_refused(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    return settings
