"""The outbound guard (outreach/net.py): the SSRF table, pinning, redirects, size, proxies.

Every test stays on loopback: ``no_outside_traffic`` refuses and records anything else."""
from __future__ import annotations

import pytest
from django.test import override_settings

from outreach import net
from outreach.exceptions import InvalidInput
from outreach.testing_ssrf import SSRF_TARGETS, Canary, ssrf_urls

LABELS = [label for label, _ in SSRF_TARGETS]


def http_response(status: str = "200 OK", body: bytes = b"ok", headers: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode() + body


@pytest.fixture
def public_server(no_outside_traffic, private_targets_refused):
    """A server on 127.0.0.2 the guard treats as the public host ``public.test``."""
    private_targets_refused.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]
    server = Canary("127.0.0.2", http_response())
    no_outside_traffic.names["public.test"] = "127.0.0.2"
    yield server
    server.close()


def test_the_table_is_large_enough():
    assert len(SSRF_TARGETS) >= 45 and len(set(LABELS)) == len(LABELS)


@pytest.mark.parametrize("index", range(len(SSRF_TARGETS)), ids=LABELS)
def test_check_url_refuses_every_target(index, canary, no_outside_traffic, private_targets_refused):
    label, url = ssrf_urls(canary.port)[index]
    with pytest.raises(net.OutboundRefused) as caught:
        net.check_url(url, field="target")
    assert caught.value.field == "target" and caught.value.message.startswith("target ")
    assert canary.connections == 0 and no_outside_traffic.attempts == []


@pytest.mark.parametrize("index", range(len(SSRF_TARGETS)), ids=LABELS)
def test_request_refuses_every_target_before_connecting(index, canary, no_outside_traffic, private_targets_refused):
    label, url = ssrf_urls(canary.port)[index]
    with pytest.raises(net.OutboundRefused):
        net.request("GET", url)
    assert canary.connections == 0 and no_outside_traffic.attempts == []


@pytest.mark.parametrize(
    "url", ["http://a@127.0.0.1:{port}/", "http://127.0.0.1:{port}\\@93.184.216.34/", "http://%31%32%37.0.0.1:{port}/"]
)
def test_syntax_is_refused_even_where_private_targets_are_allowed(url, canary, no_outside_traffic):
    with pytest.raises(net.OutboundRefused):
        net.request("GET", url.format(port=canary.port))
    assert canary.connections == 0


def test_the_checked_address_is_the_one_connected_to_with_the_name_kept(public_server, no_outside_traffic):
    response = net.request("GET", f"http://public.test:{public_server.port}/hook")
    assert response.status_code == 200 and response.content == b"ok"
    # One lookup for check and connect together: no second answer for DNS to change.
    assert no_outside_traffic.lookups == ["public.test"]
    assert b"Host: public.test:%d\r\n" % public_server.port in public_server.received[0]


def test_a_redirect_to_loopback_is_returned_not_followed(public_server, canary, no_outside_traffic):
    public_server.response = http_response("302 Found", b"", f"Location: http://127.0.0.1:{canary.port}/\r\n")
    response = net.request("GET", f"http://public.test:{public_server.port}/go")
    assert response.status_code == 302 and public_server.connections == 1
    assert canary.connections == 0 and no_outside_traffic.attempts == []


def test_a_name_resolving_to_a_refused_address_is_refused_at_connect(private_targets_refused, no_outside_traffic, canary):
    no_outside_traffic.names["rebind.test"] = "127.0.0.1"
    with pytest.raises(net.OutboundRefused, match="rebind.test resolves to 127.0.0.1, a loopback address"):
        net.session().get(f"http://rebind.test:{canary.port}/")
    assert canary.connections == 0


def test_the_body_is_bounded(public_server):
    public_server.response = http_response(body=b"x" * 5000)
    url = f"http://public.test:{public_server.port}/big"
    with pytest.raises(net.ResponseTooLarge):
        net.request("GET", url, max_bytes=1000)
    assert len(net.request("GET", url, max_bytes=1000, truncate=True).content) == 1000


def test_proxy_variables_are_ignored(public_server, canary, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{canary.port}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{canary.port}")
    assert net.request("GET", f"http://public.test:{public_server.port}/").status_code == 200
    assert canary.connections == 0


def test_syntax_only_check_does_not_resolve(private_targets_refused, no_outside_traffic):
    assert net.check_url("https://hooks.example.com/x", resolve_host=False) == "https://hooks.example.com/x"
    assert no_outside_traffic.attempts == []
    with pytest.raises(net.OutboundRefused, match="backslash"):
        net.check_url("https://hooks.example.com\\@x/", resolve_host=False)


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
@pytest.mark.parametrize(
    "url,why",
    [
        ("http://127.0.0.1:8000/hook", "loopback"),
        ("http://localhost/hook", "loopback"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("https://192.168.0.5/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
        ("http://169.254.10.10/hook", "link-local"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://[::ffff:10.0.0.1]/hook", "private"),
        ("http://100.64.0.1/hook", "non-public"),
    ],
)
def test_the_reason_is_named(url, why):
    with pytest.raises(InvalidInput, match=why):
        net.check_url(url)


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_a_public_address_is_accepted():
    assert net.check_url("https://93.184.215.14/hook") == "https://93.184.215.14/hook"
    assert net.check_url("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/") is not None


@override_settings(OUTBOUND_ALLOW_PRIVATE_TARGETS=False)
def test_the_new_setting_name_turns_the_check_on_too():
    with pytest.raises(InvalidInput, match="loopback"):
        net.check_url("http://127.0.0.1:9/hook")


def test_the_setting_allows_loopback_for_development():
    assert net.check_url("http://127.0.0.1:9/hook")
