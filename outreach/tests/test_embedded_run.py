"""The app as ``make run`` starts it: embedded settings (SQLite, file-system broker, no
environment), ``DEBUG`` off, static files collected and served by whitenoise.

One ``make run`` per module, in a temporary var directory on a free port, driven over
HTTP with ``requests``.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from outreach.testing import ROOT, free_port, wait_for

pytestmark = pytest.mark.worker

#: Far future: whitenoise's ten years for a file whose name carries its content hash.
YEAR = 365 * 24 * 3600


def _serves(url: str) -> bool:
    try:
        return requests.get(f"{url}/login/", timeout=5).status_code < 500
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """``make run`` with none of the test suite's settings: only a var dir, host and port."""
    var = tmp_path_factory.mktemp("embedded-var")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8", "OUTREACH_VAR_DIR": str(var), "HOST": "127.0.0.1", "PORT": str(port),
    }
    venv = os.path.dirname(os.path.dirname(sys.executable))
    log = open(var / "make-run.log", "w")
    proc = subprocess.Popen(["make", "-s", "run", f"VENV={venv}"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: proc.poll() is not None or _serves(url), timeout=240, interval=0.5,
                 message=f"make run did not serve on {port}")
        assert proc.poll() is None, (var / "make-run.log").read_text()
        yield url, var
    finally:
        _stop_group(proc)
        log.close()


def _stop_group(proc: subprocess.Popen) -> None:
    """Ctrl-C as a user would, then make sure no process of the group outlives the module."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            wait_for(lambda: _group_gone(proc), timeout=10, interval=0.2)
            return
        except AssertionError:
            continue


def _group_gone(proc: subprocess.Popen) -> bool:
    proc.poll()  # reap make, or its zombie keeps the group alive
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return True
    return False


def _login(url: str, var) -> requests.Session:
    username, password = re.search(r"Login: (\S+) / (\S+)", (var / "demo_login.txt").read_text()).groups()
    session = requests.Session()
    session.get(f"{url}/login/", timeout=10)
    response = session.post(f"{url}/login/", timeout=10, data={
        "username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"],
    }, headers={"Referer": f"{url}/login/"})
    assert response.url == f"{url}/", response.text[:500]
    return session


def test_an_unknown_api_path_is_a_json_404(embedded):
    url, _ = embedded
    response = requests.get(f"{url}/api/no-such-endpoint", timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["error_message"] == "Not found: /api/no-such-endpoint is no API endpoint or object."
    response = requests.get(f"{url}/api/v1/no-such-endpoint", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: /api/v1/no-such-endpoint is no API endpoint or object."}


def test_a_wrong_method_on_the_api_is_a_json_405(embedded):
    url, var = embedded
    key = re.search(r"X-API-Key: (\S+)", (var / "make-run.log").read_text()).group(1)
    response = requests.delete(f"{url}/api/send-message", headers={"X-API-Key": key}, timeout=10)
    assert response.status_code == 405
    assert response.json() == {"status": "ERROR", "error_code": 4000, "error_message": 'Method "DELETE" not allowed.'}
    response = requests.post(f"{url}/api/docs/", timeout=10)
    assert response.status_code == 405
    assert response.json()["error_message"].startswith("Method POST is not allowed here; allowed: GET")


def test_an_unknown_console_path_is_the_designed_404(embedded):
    url, var = embedded
    response = requests.get(f"{url}/no/such/page", timeout=10)
    assert response.status_code == 404
    assert 'data-testid="not-found"' in response.text
    assert "Using the URLconf" not in response.text  # Django's debug page lists every route
    assert re.search(r'href="/static/css/app\.[0-9a-f]{12}\.css"', response.text)

    response = _login(url, var).get(f"{url}/contacts/no-such-contact/", timeout=10)
    assert response.status_code == 404
    assert 'data-testid="not-found"' in response.text
    assert 'aria-label="Main"' in response.text  # a logged-in user keeps the menu: a way back
    assert 'href="/">Go to the dashboard</a>' in response.text


def test_every_menu_page_renders_with_the_collected_static_files(embedded):
    """Production storage refuses a {% static %} name it did not collect: each page says so."""
    url, var = embedded
    session = _login(url, var)
    home = session.get(f"{url}/", timeout=10).text
    menu = re.search(r'<nav id="sidenav".*?</nav>', home, re.S).group(0)
    links = re.findall(r'href="(/[^"]*)"', menu)
    assert len(links) >= 8
    for link in links:
        assert session.get(f"{url}{link}", timeout=10).status_code == 200, link


def test_static_files_are_hashed_compressed_and_cached_for_good(embedded):
    url, _ = embedded
    page = requests.get(f"{url}/login/", timeout=10).text
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page):
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", asset), asset
    icon = re.search(r'<link rel="icon" href="(/static/favicon\.[0-9a-f]{12}\.svg)"', page).group(1)
    assert requests.get(f"{url}{icon}", timeout=10).headers["Content-Type"] == "image/svg+xml"
    css = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page).group(1)
    response = requests.get(f"{url}{css}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert int(response.headers["Content-Length"]) < len(response.content) / 2
    cache = response.headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= YEAR
    assert "immutable" in cache
    # Brotli where the browser takes it (every current one does): smaller still.
    br = requests.get(f"{url}{css}", headers={"Accept-Encoding": "br, gzip"}, timeout=10, stream=True)
    assert br.headers["Content-Encoding"] == "br"
    assert int(br.headers["Content-Length"]) < int(response.headers["Content-Length"])
    br.close()
