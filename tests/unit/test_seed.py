"""Sample flights: several routes, every day from today, so a search for tomorrow finds flights."""

from __future__ import annotations

from datetime import date, timedelta

from appsync.local.dynamodb.seed import sample_flights


def test_sample_flights_cover_tomorrow_on_lgw_mad_both_ways():
    today = date(2026, 11, 22)
    flights = sample_flights(today, days=28)
    tomorrow = today + timedelta(days=1)

    def on(dep: str, arr: str) -> list:
        return [
            f
            for f in flights
            if (f.departure_airport_code, f.arrival_airport_code, f.departure_date_time.date()) == (dep, arr, tomorrow)
        ]

    assert on("LGW", "MAD")
    assert on("MAD", "LGW")
    assert len({(f.departure_airport_code, f.arrival_airport_code) for f in flights}) >= 6
    assert max(f.departure_date_time.date() for f in flights) == today + timedelta(days=27)


def test_sample_flight_ids_are_stable_so_seeding_twice_adds_nothing():
    today = date(2026, 11, 22)

    assert [f.id for f in sample_flights(today, 2)] == [f.id for f in sample_flights(today, 2)]
    assert len({f.id for f in sample_flights(today, 28)}) == len(sample_flights(today, 28))


def test_each_sample_flight_number_flies_one_route_in_one_direction():
    flights = sample_flights(date(2026, 11, 22), days=3)

    routes_of: dict[str, set[tuple[str, str]]] = {}
    for flight in flights:
        routes_of.setdefault(flight.flight_number, set()).add(
            (flight.departure_airport_code, flight.arrival_airport_code)
        )
    assert all(len(routes) == 1 for routes in routes_of.values()), routes_of
    per_day = [(f.flight_number, f.departure_date_time.date()) for f in flights]
    assert len(per_day) == len(set(per_day))
    assert {
        f.flight_number for f in flights if (f.departure_airport_code, f.arrival_airport_code) == ("LGW", "MAD")
    } == {
        "AW1812",
        "AW1814",
        "AW1816",
    }
