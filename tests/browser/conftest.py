"""Browser tests: Debian's Chromium driven by Playwright for Python, against a real gateway.

The gateway runs as `pairgate serve` in a subprocess on a free port, over a fresh SQLite
database made by `pairgate migrate` and `pairgate create-organisation`, exactly as a
newcomer would run it. One browser for the whole session; each test opens its own
contexts (a register and a back office are two browsers' worth of storage).

Playwright's own browser download is not used: Chromium comes from Debian
(`apt-get install chromium`), at /usr/bin/chromium. Locally these tests skip, saying
why, when Chromium or web/dist is missing; in CI (CI=true) they fail instead.

The tests use Playwright's sync API in plain (not async) tests, so pytest-asyncio's
auto mode never runs an event loop around them. The sync API keeps an event loop
running in the main thread while it is open, which the async tests after these could
not start theirs beside: so the browser (and the gateway) live as long as this
package's tests, not the session.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ADMIN_PASSWORD = "browser-admin-password"
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not (DIST / "index.html").exists():
        return "web/dist is missing (cd web && npm ci && npm run build)"
    if not AXE.exists():
        return "web/node_modules/axe-core is missing (cd web && npm ci)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def ready() -> None:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI runs the browser tests: {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gateway:
    def __init__(self, url: str) -> None:
        self.url = url
        self.host = urlsplit(url).netloc
        self._admin_token: str | None = None

    def graphql(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        """For a test's set-up: one operation over HTTP, as any client sends it."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"{self.url}/graphql", method="POST", headers=headers,
                                         data=json.dumps({"query": query, "variables": variables or {}}).encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.load(response)
        assert not body.get("errors"), body
        return body["data"]

    def admin_token(self) -> str:
        if self._admin_token is None:
            data = self.graphql('mutation { loginWithPassword(input: {username: "admin", password: "%s"}) { token } }'
                                % ADMIN_PASSWORD)
            self._admin_token = data["loginWithPassword"]["token"]
        return self._admin_token

    def admin(self, query: str, variables: dict | None = None) -> dict:
        return self.graphql(query, variables, self.admin_token())


@pytest.fixture(scope="package")
def gateway(ready, tmp_path_factory):
    data = tmp_path_factory.mktemp("gateway")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PAIRGATE_DATA_DIR": str(data), "PAIRGATE_PUBLIC_URL": url,
           "PAIRGATE_ADMIN_PASSWORD": ADMIN_PASSWORD, "PYTHONPATH": str(ROOT)}
    env.pop("PAIRGATE_DATABASE_URL", None)
    cli = [sys.executable, "-m", "gateway.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*cli, "create-organisation", "--name", "Café Lumière", "--admin-username", "admin"],
                   env=env, check=True, cwd=ROOT, capture_output=True)
    log = open(data / "serve.log", "wb")
    server = subprocess.Popen([*cli, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"pairgate serve did not start: {(data / 'serve.log').read_text()}")
            time.sleep(0.1)
    yield Gateway(url)
    server.terminate()
    server.wait(10)
    log.close()


@pytest.fixture(scope="package")
def browser(ready):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


class Pages:
    """Opens pages in new browser contexts and records every request they make."""

    def __init__(self, browser, gateway: Gateway) -> None:
        self.browser = browser
        self.gateway = gateway
        self.requests: list[str] = []
        self.refused: list[str] = []  # what the Content-Security-Policy blocked
        self.contexts = []

    def open(self, path: str = "/", locale: str = "en-GB", width: int = 1100, height: int = 800,
             office_session: str | None = None):
        """office_session: a back office already logged in with this session token."""
        context = self.browser.new_context(locale=locale, viewport={"width": width, "height": height},
                                           base_url=self.gateway.url)
        context.set_default_timeout(10_000)
        # axe-core from npm, in every page before its own scripts (an init script is not
        # an inline script: the pages' Content-Security-Policy need not allow it).
        context.add_init_script(path=str(AXE))
        if office_session:
            context.add_init_script(f"localStorage.setItem('pairgate.backoffice.session', {json.dumps(office_session)})")
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda ws: self.requests.append(ws.url))
        page.on("console", lambda message: "Content Security Policy" in message.text
                and self.refused.append(message.text))
        page.goto(path)
        return page

    def foreign(self) -> list[str]:
        """Every request that went to another host than the gateway's."""
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).netloc != self.gateway.host]


@pytest.fixture
def pages(browser, gateway):
    opened = Pages(browser, gateway)
    yield opened
    for context in opened.contexts:
        context.close()
    assert opened.foreign() == [], "a page fetched from another host"
    assert opened.refused == [], "the pages' Content-Security-Policy refused something they use"


def assert_accessible(page, screen: str) -> None:
    """No serious or critical axe-core violation on what the page shows now."""
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
           for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], f"axe on {screen}: {bad}"


def screenshot(page, name: str) -> None:
    """The README's pictures. In CI they go to a scratch folder, so a run leaves the checkout clean."""
    folder = Path(os.environ.get("PAIRGATE_SCREENSHOTS_DIR") or SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # every picture from the top of its page
    page.screenshot(path=str(folder / f"{name}.png"))
