"""The Flight App in Debian's Chromium (Playwright), served by the local AppSync over TLS with its local user pool.

Elements are found by role and label only, as a person (or a screen reader) finds them. Every page collects the
browser console's errors and uncaught exceptions; a test fails if there is one."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, expect, sync_playwright

from appsync.local.cognito.pool import DEMO_PASSWORD
from appsync.local.graphql.limits import Limits
from appsync.local.server import LocalAppSync, serve_in_thread
from appsync.local.web import WEB_DIST

ROOT = Path(__file__).resolve().parents[2]
# Every run takes its screenshots into the test session's temporary folder (look at them there); the README's copies
# in docs/screenshots are refreshed only when asked: `SCREENSHOTS=docs/screenshots make pytest`.
SCREENSHOTS_ENV = "SCREENSHOTS"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Bounded waits: the saga settles a booking in well under a second locally; this is the most a test waits for it.
LIVE_TIMEOUT_MS = 20_000
VIEWPORT = {"width": 1100, "height": 760}
# What any expectation waits at most: a loaded 2-core machine can take seconds for the first TLS handshake and the
# subscription acknowledgement that enables Pay.
expect.set_options(timeout=15_000)


# Module scope: Chromium and this server stop once the browser tests are done, not at the end of the whole session.
@pytest.fixture(scope="module")
def app_url(dynamodb: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The local AppSync over HTTPS/WSS (Amplify subscribes only over wss://) serving web/dist at /."""
    assert (WEB_DIST / "index.html").is_file(), "web/dist is not built: `make web` (make test builds it first)"
    from appsync.local.dynamodb.seed import seed

    seed()
    state_dir = Path(tmp_path_factory.mktemp("browser-appsync"))
    appsync = LocalAppSync(state_dir, limits=Limits(), web_dist=WEB_DIST)
    appsync.user_pool.ensure_demo_users()
    with serve_in_thread(appsync, tls=True) as url:
        yield url.removesuffix("/graphql") + "/"
    appsync.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@dataclass
class FlightApp:
    """One signed-in person's tab, driven by role and label."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    # Console errors a test expects, by a part of their text (e.g. Chromium's own log of a 400 answer).
    expected_errors: list[str] = field(default_factory=list)
    # Where screenshot() saves its pictures.
    screenshots: Path | None = None

    def expect_console_error(self, text: str) -> None:
        self.expected_errors.append(text)

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("button", name="Sign out")).to_be_visible()

    def search(self, origin: str = "LGW", destination: str = "MAD", date: str | None = None) -> None:
        self.page.get_by_role("link", name="Search flights").click()
        self.page.get_by_label("From").select_option(origin)
        self.page.get_by_label("To").select_option(destination)
        self.page.get_by_label("Date").fill(date or tomorrow())
        self.page.get_by_role("button", name="Search").click()
        expect(self.page.get_by_role("heading", name="Results")).to_be_visible()

    def book(
        self,
        card: str = "tok_visa",
        flight_number: str | None = None,
        passengers: tuple[tuple[str, str], ...] = (("Ada", "Lovelace"),),
    ) -> str:
        """Books the first result (or the flight named) for the passengers (first, last), pays with `card`; answers
        the booking reference."""
        self._open_booking_form(flight_number, passengers)
        self.page.get_by_label(re.compile(card)).check()
        self.page.get_by_role("button", name="Pay").click()
        return self._booking_reference()

    def hold(self, passengers: tuple[tuple[str, str], ...] = (("Ada", "Lovelace"),)) -> str:
        """Holds seats on the first result for the passengers, paying later; answers the booking reference once
        the booking shows Held."""
        self._open_booking_form(None, passengers)
        self.page.get_by_role("radio", name="Hold seats, pay later").check()
        self.page.get_by_role("button", name="Hold seats").click()
        expect(self.booking_status()).to_contain_text("Held")
        return self._booking_reference()

    def _open_booking_form(self, flight_number: str | None, passengers: tuple[tuple[str, str], ...]) -> None:
        results = self.page.get_by_role("listitem")
        if flight_number:
            results = results.filter(has=self.page.get_by_role("heading", name=re.compile(flight_number)))
        results.get_by_role("button", name="Book").first.click()
        self.name_passengers(passengers)

    def _booking_reference(self) -> str:
        heading = self.page.get_by_role("heading", name=re.compile(r"^Booking [A-Z0-9]{6}$"))
        expect(heading).to_be_visible()
        return heading.inner_text().removeprefix("Booking ").strip()

    def name_passengers(self, passengers: tuple[tuple[str, str], ...]) -> None:
        self.page.get_by_label("Number of passengers").select_option(str(len(passengers)))
        for number, (first, last) in enumerate(passengers, start=1):
            group = self.page.get_by_role("group", name=f"Passenger {number}", exact=True)
            group.get_by_label("First name").fill(first)
            group.get_by_label("Last name").fill(last)

    def booking_status(self) -> ...:
        return self.page.get_by_role("status")

    def screenshot(self, name: str) -> None:
        assert self.screenshots is not None, "FlightApp made without a screenshots folder"
        self.screenshots.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"))


def tomorrow() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).date().isoformat()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get(SCREENSHOTS_ENV)
    return ROOT / given if given else Path(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def open_app(browser: Browser, app_url: str, screenshots: Path) -> Iterator[Callable[[str], FlightApp]]:
    """Opens the app in a fresh browser context signed in as the user named; no console error allowed."""
    contexts: list[tuple[BrowserContext, FlightApp]] = []

    def open_as(username: str) -> FlightApp:
        # The local certificate's CA is not in Chromium's store: the test trusts it as a person would click through.
        context = browser.new_context(base_url=app_url, ignore_https_errors=True, viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(10_000)
        app = FlightApp(page, screenshots=screenshots)

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and not any(text in message.text for text in app.expected_errors):
                app.console_errors.append(f"{username}: {message.text}")

        def on_page_error(error: Error) -> None:
            app.console_errors.append(f"{username}: uncaught {error.message}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.goto("/")
        if username:
            app.sign_in(username)
        contexts.append((context, app))
        return app

    yield open_as
    errors = [error for _, app in contexts for error in app.console_errors]
    for context, _ in contexts:
        context.close()
    assert errors == []
