"""Fixtures of the browser tests: the real `evaluator serve` and Debian's headless Chromium."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "api"))

from api_helpers import serve_subprocess  # noqa: E402

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # as in the Makefile
# Needed here: no sandbox as root, no GPU, and no traffic of Chromium's own beyond the page's.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = ROOT / "test-output" / "browser"
API_KEY = "browser-test-key-7130"
QUESTION_IDS = ("fresher-01", "fresher-03", "intermediate-01")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.server)
            if not CHROMIUM.exists():
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"{CHROMIUM} is missing: `apt-get install chromium chromium-driver` "
                        "(`make test` does it as root) to run the browser tests"
                    )
                )


@dataclass
class Server:
    """A running `evaluator serve`: its base URL and an HTTP client that sends the API key."""

    base: str
    api: httpx.Client
    key: str = API_KEY
    question_ids: tuple[str, ...] = field(default=QUESTION_IDS)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`python -m cli serve` on a free loopback port, with an API key and a 3-question bank."""
    folder = tmp_path_factory.mktemp("browser-server")
    with serve_subprocess(folder, QUESTION_IDS, EVALUATOR_API_KEY=API_KEY) as server:
        with httpx.Client(base_url=server.base, headers={"X-API-Key": API_KEY}, timeout=60) as api:
            yield Server(base=server.base, api=api)


@pytest.fixture
def open_page(server: Server, tmp_path: Path) -> Iterator[Callable[..., object]]:
    """Opens the practice page (or `path`) in a fresh headless Chromium profile, offline: a request to
    anywhere but the server fails as with no network, and every request is recorded.

    Each call returns a Playwright page with `.requests` (URLs), `.outside` (the URLs of requests that
    reached the network layer for another host, and were failed) and `.errors` (script errors, CSP
    violations).
    """
    from playwright.sync_api import sync_playwright

    contexts = []
    with sync_playwright() as playwright:

        def open_(width: int = 1280, height: int = 900, path: str = "/"):
            context = playwright.chromium.launch_persistent_context(
                tmp_path / f"profile-{len(contexts)}",  # a fresh --user-data-dir
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_FLAGS,
                viewport={"width": width, "height": height},
            )
            contexts.append(context)
            context.set_default_timeout(30_000)
            outside: list[str] = []
            context.route("**/*", lambda route: _only_the_server(route, server.base, outside))
            page = context.pages[0] if context.pages else context.new_page()
            page.outside = outside
            page.requests = []
            page.errors = []
            page.on("request", lambda request: page.requests.append(request.url))
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            page.on(
                "console",
                lambda message: (
                    "Content Security Policy" in message.text and page.errors.append(message.text)
                ),
            )
            page.goto(f"{server.base}{path}")
            return page

        yield open_
        for context in contexts:
            context.close()


def _only_the_server(route, base: str, outside: list[str]) -> None:
    """Lets a request to the server through; fails any other as an offline machine would, noting it."""
    if route.request.url.startswith(base + "/"):
        route.continue_()
    else:
        outside.append(route.request.url)
        route.abort("internetdisconnected")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/browser/ (git-ignored): the screenshots the browser tests leave for people to see."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
