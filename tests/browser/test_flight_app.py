"""A customer's journey through the Flight App in a real browser: sign in, search, book, watch the booking settle
live, find it, earn points, get told of a delay, cancel; and what must never happen (another customer's booking)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Request, Route, expect

from resolvers.store import flights as flight_store
from tests.browser.conftest import LIVE_TIMEOUT_MS, FlightApp
from tests.factories import a_flight

OpenApp = Callable[[str], FlightApp]
# "Held until Thu, Dec 3, 2026 21:45 UTC" (the date in the browser's locale).
HELD_UNTIL = re.compile(r"^Held until .+ \d\d:\d\d UTC\.?$")


def minutes_of_day(held_until: str) -> int:
    match = re.search(r"(\d\d):(\d\d) UTC", held_until)
    assert match, held_until
    return int(match.group(1)) * 60 + int(match.group(2))


def test_alice_books_lgw_to_mad_and_sees_it_confirmed_without_reload(open_app: OpenApp) -> None:
    # Given alice, signed in
    alice = open_app("alice")
    # When she searches LGW → MAD for tomorrow
    alice.search("LGW", "MAD")
    results = alice.page.get_by_role("listitem")
    expect(results.first).to_contain_text("London Gatwick")
    expect(results.first).to_contain_text("Madrid")
    expect(results.first).to_contain_text("£89.00")
    expect(results.first).to_contain_text(re.compile(r"\d+ seats left"))
    alice.screenshot("search")
    # And books the first flight with the Visa test card
    navigations: list[str] = []
    alice.page.on("framenavigated", lambda frame: navigations.append(frame.url))
    reference = alice.book("tok_visa")
    # Then CONFIRMED arrives on the page by subscription: no reload, no navigation
    expect(alice.booking_status()).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    expect(alice.booking_status()).to_contain_text(f"Booking {reference} is confirmed")
    assert [url for url in navigations if "#" not in url] == []
    alice.screenshot("booking-confirmed")
    # And the booking is under My bookings
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    expect(booking).to_contain_text("Confirmed")
    expect(booking.get_by_role("button", name="Cancel booking")).to_be_visible()
    alice.screenshot("my-bookings")
    # And her loyalty shows points and the way to the next tier
    alice.page.get_by_role("link", name="Loyalty").click()
    expect(alice.page.get_by_text(re.compile(r"^[\d,]+$"))).not_to_have_text("0")
    progress = alice.page.get_by_role("progressbar", name=re.compile("Progress to (Silver|Gold)"))
    expect(progress).to_have_attribute("aria-valuemin", "0")
    expect(progress).to_have_attribute("aria-valuemax", "100")
    assert 0 < int(progress.get_attribute("aria-valuenow") or "0") <= 100
    alice.screenshot("loyalty")


def test_a_declined_card_shows_failed_with_its_reason(open_app: OpenApp) -> None:
    alice = open_app("alice")
    alice.search("LGW", "MAD")
    reference = alice.book("tok_declined")
    expect(alice.booking_status()).to_contain_text("Failed", timeout=LIVE_TIMEOUT_MS)
    expect(alice.booking_status()).to_contain_text(f"Booking {reference} failed")
    expect(alice.booking_status()).to_contain_text("declined")
    alice.screenshot("booking-failed")


def test_alice_books_for_three_named_passengers_and_pays_three_tickets(open_app: OpenApp) -> None:
    # Given alice on the booking form of a flight at £89.00
    alice = open_app("alice")
    alice.search("LGW", "MAD")
    alice.page.get_by_role("listitem").get_by_role("button", name="Book").first.click()
    # When she asks for three passengers and leaves a name that is not a name
    alice.name_passengers((("Zoë", "O'Brien"), ("Anne-Marie", "O'Brien"), ("Li", "W3i")))
    expect(alice.page.get_by_role("button", name="Pay £267.00")).to_be_visible()
    alice.page.get_by_role("button", name="Pay").click()
    # Then the form says which field to fix, and keeps her there
    third = alice.page.get_by_role("group", name="Passenger 3", exact=True).get_by_label("Last name")
    expect(third).to_be_focused()
    expect(third).to_have_attribute("aria-invalid", "true")
    expect(alice.page.get_by_text("Use letters, spaces, hyphens and apostrophes only.")).to_be_visible()
    alice.screenshot("passengers-invalid")
    # When she corrects it and pays
    third.fill("Wei")
    alice.page.get_by_role("button", name="Pay £267.00").click()
    # Then the booking names the three and costs three tickets, and it is confirmed live
    expect(alice.booking_status()).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    booked = alice.page.get_by_role("list", name="Passengers")
    expect(booked.get_by_role("listitem")).to_have_text(["Zoë O'Brien", "Anne-Marie O'Brien", "Li Wei"])
    expect(alice.page.get_by_text("£267.00")).to_be_visible()
    alice.screenshot("passengers-booked")
    # And My bookings shows the passengers and the total
    reference = alice.page.get_by_role("heading", name=re.compile(r"^Booking [A-Z0-9]{6}$")).inner_text()
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference.removeprefix("Booking ").strip())
    expect(booking).to_contain_text("Zoë O'Brien, Anne-Marie O'Brien, Li Wei")
    expect(booking).to_contain_text("£267.00")


def test_bob_never_sees_alices_booking(open_app: OpenApp) -> None:
    alice = open_app("alice")
    alice.search("LGW", "MAD")
    reference = alice.book("tok_visa")
    expect(alice.booking_status()).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    bob = open_app("bob")
    bob.page.get_by_role("link", name="My bookings").click()
    expect(bob.page.get_by_role("heading", name="My bookings")).to_be_visible()
    expect(bob.page.get_by_text("Loading bookings")).to_have_count(0)
    expect(bob.page.get_by_text(reference)).to_have_count(0)
    # Not under any status either
    for status in ("Confirmed", "Pending", "Failed", "Cancelled"):
        bob.page.get_by_label("Status").select_option(label=status)
        expect(bob.page.get_by_text("Loading bookings")).to_have_count(0)
        expect(bob.page.get_by_text(reference)).to_have_count(0)


def test_an_admin_creates_and_delays_a_flight_and_the_customer_sees_a_banner(open_app: OpenApp) -> None:
    # Given a flight ops creates, far enough ahead to be the only one on its day
    departs = (datetime.now(UTC) + timedelta(days=200)).replace(hour=9, minute=30, second=0, microsecond=0)
    ops = open_app("ops")
    ops.page.get_by_role("link", name="Admin").click()
    ops.page.get_by_label("Flight number").fill("AW777")
    ops.page.get_by_label("Departure airport").select_option("LGW")
    ops.page.get_by_label("Arrival airport").select_option("MAD")
    ops.page.get_by_label("Departure (UTC)").fill(departs.strftime("%Y-%m-%dT%H:%M"))
    ops.page.get_by_label("Arrival (UTC)").fill((departs + timedelta(hours=2, minutes=25)).strftime("%Y-%m-%dT%H:%M"))
    ops.page.get_by_label("Ticket price").fill("120.00")
    ops.page.get_by_role("button", name="Create flight").click()
    created = ops.page.get_by_role("status").filter(has_text="created")
    expect(created).to_be_visible()
    match = re.search(r"id (\S+)\)", created.inner_text())
    assert match, created.inner_text()
    flight_id = match.group(1)
    # And alice holds a confirmed booking on it
    alice = open_app("alice")
    alice.search("LGW", "MAD", departs.date().isoformat())
    alice.book("tok_visa", flight_number="AW777")
    expect(alice.booking_status()).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    # When ops delays it by 45 minutes
    ops.page.get_by_label("Flight id").fill(flight_id)
    ops.page.get_by_label("Delay in minutes").fill("45")
    ops.page.get_by_label("Reason").fill("Air traffic control")
    ops.page.get_by_role("button", name="Delay flight").click()
    expect(ops.page.get_by_role("status").filter(has_text="minutes late")).to_be_visible()
    ops.screenshot("admin")
    # Then alice's page shows a delay banner, live
    banner = alice.page.get_by_role("alert").filter(has_text="AW777")
    expect(banner).to_contain_text("delayed by 45 minutes", timeout=LIVE_TIMEOUT_MS)
    expect(banner).to_contain_text("Air traffic control")
    alice.screenshot("delay-banner")


def test_alice_cancels_a_confirmed_booking_after_confirming(open_app: OpenApp) -> None:
    alice = open_app("alice")
    alice.search("LGW", "MAD")
    reference = alice.book("tok_mastercard")
    expect(alice.booking_status()).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    booking.get_by_role("button", name="Cancel booking").click()
    dialog = alice.page.get_by_role("dialog", name=f"Cancel booking {reference}?")
    expect(dialog).to_be_visible()
    alice.screenshot("cancel-dialog")
    dialog.get_by_role("button", name="Yes, cancel it").click()
    expect(booking).to_contain_text("Cancelled")
    expect(booking.get_by_role("button", name="Cancel booking")).to_have_count(0)


def test_alice_checks_in_two_passengers_and_gets_their_seats_and_boarding_passes(open_app: OpenApp) -> None:
    # Given a flight leaving LHR for AMS in 3 hours (no sample flight flies that route: after 21:00 UTC the flight
    # is tomorrow's, where tests count the sample flights), booked by alice for two passengers
    departs = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=3)
    flight = a_flight("LHR", "AMS", departs, flight_number="AW9870")
    flight_store.put_flight(flight)
    alice = open_app("alice")
    alice.search("LHR", "AMS", departs.date().isoformat())
    reference = alice.book(flight_number="AW9870", passengers=(("Ada", "Lovelace"), ("Grace", "Hopper")))
    expect(alice.booking_status()).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)

    # When she checks the booking in from My bookings
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    booking.get_by_role("button", name=f"Check in booking {reference}").click()

    # Then each passenger shows a seat, a boarding group and the boarding pass's BCBP barcode
    passes = alice.page.get_by_role("list", name=f"Boarding passes of booking {reference}")
    expect(passes).to_be_visible()
    expect(passes.get_by_role("listitem")).to_have_count(2)
    expect(passes).to_contain_text(re.compile(r"Ada Lovelace: seat \d+[A-F]"))
    barcode = alice.page.get_by_label("Boarding pass barcode of Grace Hopper")
    expect(barcode).to_have_text(re.compile(r"^M1HOPPER/GRACE\s+E" + reference))
    expect(booking.get_by_role("button", name=f"Check in booking {reference}")).to_have_count(0)
    alice.screenshot("checked-in")


def test_check_in_before_the_window_says_when_it_opens(open_app: OpenApp) -> None:
    alice = open_app("alice")
    alice.search("LGW", "MAD", (datetime.now(UTC) + timedelta(days=3)).date().isoformat())
    reference = alice.book()
    expect(alice.booking_status()).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    booking.get_by_role("button", name=f"Check in booking {reference}").click()
    # Flights in three days open for check-in 24 hours before they leave: the app says when, in a sentence
    expect(alice.page.get_by_role("alert")).to_contain_text("Check-in opens 24 hours before departure, at ")


def test_alice_holds_seats_extends_the_hold_and_pays_later_once_even_on_a_double_click(open_app: OpenApp) -> None:
    # Given alice on the booking form of a flight, for two passengers (LHR to AMS, which no sample flight flies: made
    # before midnight UTC, a flight in two days is tomorrow's after it, where tests count the sample flights)
    departs = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)
    flight_store.put_flight(a_flight("LHR", "AMS", departs, flight_number="AW9871"))
    alice = open_app("alice")
    alice.search("LHR", "AMS", departs.date().isoformat())
    flight = alice.page.get_by_role("listitem").filter(has=alice.page.get_by_role("heading", name=re.compile("AW9871")))
    flight.get_by_role("button", name="Book").click()
    alice.name_passengers((("Ada", "Lovelace"), ("Grace", "Hopper")))

    # When she chooses to hold the seats and pay later: no card is asked for
    alice.page.get_by_role("radio", name="Hold seats, pay later").check()
    expect(alice.page.get_by_role("group", name=re.compile("Test card"))).to_have_count(0)
    expect(alice.page.get_by_role("button", name=re.compile("^Pay"))).to_have_count(0)
    alice.page.get_by_role("button", name="Hold seats").click()

    # Then the booking is Held, until a time the page says
    heading = alice.page.get_by_role("heading", name=re.compile(r"^Booking [A-Z0-9]{6}$"))
    expect(heading).to_be_visible()
    reference = heading.inner_text().removeprefix("Booking ").strip()
    expect(alice.booking_status()).to_contain_text("Held")
    expect(alice.booking_status()).to_contain_text(f"Booking {reference} is held")
    expect(alice.page.get_by_text(HELD_UNTIL)).to_be_visible()

    # And under My bookings it shows its expiry, Pay now, Extend hold and Cancel
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    expect(booking).to_contain_text("Held")
    until = booking.get_by_text(HELD_UNTIL)
    expect(until).to_be_visible()
    first_until = until.inner_text()
    expect(booking.get_by_role("button", name=f"Cancel booking {reference}")).to_be_visible()

    # When she extends the hold, Then it is held 30 minutes longer (the default hold duration)
    booking.get_by_role("button", name=f"Extend hold of booking {reference}").click()
    expect(until).not_to_have_text(first_until)
    assert minutes_of_day(until.inner_text()) - minutes_of_day(first_until) in (30, 30 - 24 * 60)
    alice.screenshot("held-booking")

    # When she pays it with the Visa test card, double-clicking Pay
    pay_requests: list[dict[str, str]] = []

    def record_payment(request: Request) -> None:
        sent = request.post_data_json if request.method == "POST" else None
        if sent and "payBooking" in sent.get("query", ""):
            pay_requests.append(sent["variables"])

    alice.page.on("request", record_payment)
    booking.get_by_role("button", name=f"Pay now for booking {reference}").click()
    dialog = alice.page.get_by_role("dialog", name=f"Pay booking {reference}")
    expect(dialog.get_by_text(HELD_UNTIL)).to_be_visible()
    dialog.get_by_label(re.compile("tok_visa")).check()
    dialog.get_by_role("button", name="Pay £178.00").dblclick()

    # Then the booking turns Confirmed, live, its hold gone, having been paid with one idempotency key
    expect(booking).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    expect(booking.get_by_text(HELD_UNTIL)).to_have_count(0)
    expect(booking.get_by_role("button", name=f"Pay now for booking {reference}")).to_have_count(0)
    expect(alice.page.get_by_role("alert")).to_have_count(0)
    assert len(pay_requests) >= 1
    assert {(v["paymentToken"], v["idempotencyKey"]) for v in pay_requests} == {
        ("tok_visa", pay_requests[0]["idempotencyKey"])
    }


def test_paying_again_after_a_lost_answer_reuses_the_attempts_key_and_charges_once(open_app: OpenApp) -> None:
    # Given alice's held booking, and a network that loses the answer to her first payBooking (the server ran it)
    alice = open_app("alice")
    alice.expect_console_error("net::ERR_")
    alice.search("LGW", "MAD")
    reference = alice.hold()
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    sent: list[dict[str, str]] = []
    network = {"down": True}

    def lose_payment_answers_while_down(route: Route) -> None:
        request = route.request.post_data_json if route.request.method == "POST" else None
        if not request or "payBooking" not in request.get("query", ""):
            route.continue_()
            return
        sent.append(request["variables"])
        if network["down"]:
            route.fetch()  # the server pays...
            route.abort("connectionreset")  # ...and its answer is lost (Amplify's own retries too)
        else:
            route.continue_()

    alice.page.route("**/graphql", lose_payment_answers_while_down)

    # When she pays, is told it failed, and once the network is back presses Pay again
    booking.get_by_role("button", name=f"Pay now for booking {reference}").click()
    dialog = alice.page.get_by_role("dialog", name=f"Pay booking {reference}")
    dialog.get_by_role("button", name=re.compile(r"^Pay £")).click()
    expect(dialog.get_by_role("alert")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    lost = len(sent)
    network["down"] = False
    dialog.get_by_role("button", name=re.compile(r"^Pay £")).click()

    # Then the retry carried the attempt's key: the API answered the payment under way, not "not payable"
    expect(dialog).to_be_hidden()
    expect(booking).to_contain_text("Confirmed", timeout=LIVE_TIMEOUT_MS)
    assert len(sent) > lost >= 1
    assert all(variables == sent[0] for variables in sent)


def test_alice_cancels_a_held_booking_and_is_told_nothing_was_charged(open_app: OpenApp) -> None:
    alice = open_app("alice")
    alice.search("LGW", "MAD")
    reference = alice.hold()

    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    booking.get_by_role("button", name=f"Cancel booking {reference}").click()
    dialog = alice.page.get_by_role("dialog", name=f"Cancel booking {reference}?")
    expect(dialog).to_contain_text("Nothing was charged.")
    dialog.get_by_role("button", name="Yes, cancel it").click()

    expect(booking).to_contain_text("Cancelled")
    expect(booking.get_by_text(HELD_UNTIL)).to_have_count(0)
    expect(booking.get_by_role("button", name=f"Extend hold of booking {reference}")).to_have_count(0)


def test_a_hold_left_unpaid_turns_expired_live_on_my_bookings(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given holds of 3 seconds (the in-process server reads the duration on each hold) and alice holding a seat
    monkeypatch.setenv("HOLD_DURATION_SECONDS", "3")
    alice = open_app("alice")
    alice.search("LGW", "MAD")
    reference = alice.hold()
    alice.page.get_by_role("link", name="My bookings").click()
    booking = alice.page.get_by_role("listitem").filter(has_text=reference)
    expect(booking.get_by_role("button", name=f"Pay now for booking {reference}")).to_be_visible()

    # When nobody pays it, Then it turns Expired on the page without a reload, with nothing left to do
    expect(booking).to_contain_text("Expired", timeout=LIVE_TIMEOUT_MS * 3)
    expect(booking.get_by_text(HELD_UNTIL)).to_have_count(0)
    expect(booking.get_by_role("button")).to_have_count(0)


def test_a_wrong_password_is_told_in_a_sentence(open_app: OpenApp) -> None:
    app = open_app("")
    # Chromium logs every 4xx answer as a console error; Cognito answers a wrong password with 400, as AWS does
    app.expect_console_error("status of 400")
    app.page.get_by_label("Username").fill("alice")
    app.page.get_by_label("Password").fill("not-the-password")
    app.page.get_by_role("button", name="Sign in").click()
    expect(app.page.get_by_role("alert")).to_have_text("The username or password is incorrect.")
    app.screenshot("sign-in")


def test_the_app_is_usable_by_keyboard(open_app: OpenApp) -> None:
    app = open_app("")
    app.page.get_by_label("Username").focus()
    app.page.keyboard.type("alice")
    app.page.keyboard.press("Tab")
    app.page.keyboard.type("Airline#2026")
    app.page.keyboard.press("Enter")
    expect(app.page.get_by_role("button", name="Sign out")).to_be_visible()
    app.page.get_by_label("Date").fill((datetime.now(UTC) + timedelta(days=1)).date().isoformat())
    app.page.get_by_label("Date").press("Enter")
    expect(app.page.get_by_role("button", name="Book").first).to_be_visible()


def test_a_new_customer_signs_up_confirms_with_the_code_and_signs_in(
    open_app: OpenApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="appsync.local.cognito")
    username = f"carol{uuid.uuid4().hex[:8]}"
    app = open_app("")
    app.page.get_by_role("button", name="Create an account").click()
    app.page.get_by_label("Username").fill(username)
    app.page.get_by_label("Email").fill(f"{username}@example.com")
    app.page.get_by_label("Password").fill("Sunny-Days-2026")
    app.page.get_by_role("button", name="Create account").click()
    # The local pool prints the confirmation code in the dev log, as Cognito would mail it
    expect(app.page.get_by_role("heading", name="Confirm your account")).to_be_visible()
    codes = [re.search(r"confirmation code for \S+: (\d+)", r.getMessage()) for r in caplog.records]
    (code,) = [m.group(1) for m in codes if m and username in m.group(0)]
    app.page.get_by_label("Confirmation code").fill(code)
    app.page.get_by_role("button", name="Confirm").click()
    expect(app.page.get_by_text(f"Signed in as {username}")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
