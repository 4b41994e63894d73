"""The app in a real browser: ``streamlit run`` on a free port, driven by Playwright in Debian's Chromium.

Skipped when /usr/bin/chromium is missing (``apt-get install -y chromium``); never
``playwright install``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_app import PASSWORD, email, find_demo_order, load_app_data

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@pytest.fixture(scope="module")
def app_url(pg, tmp_path_factory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: apt-get install -y chromium")
    load_app_data(pg)  # the same data as test_app (loaded once per session)
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", str(ROOT / "apps" / "streamlit" / "app.py"),
                "--server.headless", "true",
                "--server.address", "127.0.0.1",
                "--server.port", str(port),
                "--server.fileWatcherType", "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def page(app_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        try:
            tab = browser.new_page()
            tab.set_default_timeout(30_000)
            yield tab
        finally:
            browser.close()


def _sign_in(page, app_url: str, email: str, password: str) -> None:
    page.goto(app_url)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_wrong_password_is_refused_in_the_browser(page, app_url):
    from apps.streamlit.auth import SIGN_IN_ERROR

    _sign_in(page, app_url, email("ops", "demo"), PASSWORD + "x")
    page.get_by_text(SIGN_IN_ERROR).wait_for()
    assert page.get_by_role("heading", name="Orders").count() == 0


def test_sign_in_search_and_open_an_order(page, app_url, pg):
    demo_order = find_demo_order(pg)
    _sign_in(page, app_url, email("reviewer", "demo"), PASSWORD)
    page.get_by_role("heading", name="Orders").wait_for()
    page.get_by_text("Page 1 of").wait_for()

    search = page.get_by_role("textbox", name="Search")
    search.fill(demo_order["name"])
    search.press("Enter")
    page.get_by_text("orders 1–1 of 1").wait_for()
    # A single match opens its detail.
    page.get_by_role("heading", name=f"Order {demo_order['name']}").wait_for()
    page.get_by_text("Status history").wait_for()
    page.get_by_text("Ship to").wait_for()
    assert page.get_by_text("Lines (").count() == 1

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
