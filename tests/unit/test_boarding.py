"""The boarding pass's BCBP string item by item, the seat map, and boarding groups."""

from __future__ import annotations

from datetime import UTC, datetime

from resolvers.domain import boarding


def test_the_mandatory_items_match_resolution_792s_layout() -> None:
    # The layout of IATA's own example (M1DESMARAIS/LUC EABC123 YULFRAAC 0834 ...), for a flight on 13 August 2026
    data = boarding.BoardingPassData(
        first_name="Luc",
        last_name="Desmarais",
        booking_reference="ABC123",
        departure_airport="YUL",
        arrival_airport="FRA",
        flight_number="AC834",
        departs=datetime(2026, 8, 13, 18, 0, tzinfo=UTC),
        seat="1A",
        sequence_number=25,
        issued=datetime(2026, 8, 12, 18, 0, tzinfo=UTC),
    )

    barcode = boarding.bcbp(data)

    assert barcode[:58] == "M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 225Y001A0025 1"
    conditional = barcode[60:]
    assert int(barcode[58:60], 16) == len(conditional)
    # Version 6; unique items: adult, web check-in, web issue, issued on day 224 of a year ending in 6, a boarding
    # pass, issued by AC
    assert conditional[:2] == ">6"
    unique_size = int(conditional[2:4], 16)
    assert conditional[4 : 4 + unique_size] == "0WW6224BAC "
    repeated = conditional[4 + unique_size :]
    assert int(repeated[:2], 16) == len(repeated) - 2
    assert barcode.isascii()


def test_a_name_is_last_slash_first_in_ascii_capitals_cut_at_20() -> None:
    data = boarding.BoardingPassData(
        "Zoë",
        "Ñúñez de la Peña-O'Hara",
        "XYZ789",
        "LGW",
        "MAD",
        "AW12A",
        datetime(2026, 1, 1, tzinfo=UTC),
        "10F",
        7,
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    barcode = boarding.bcbp(data)
    assert barcode[2:22] == "NUNEZ DE LA PENA OHA"
    assert barcode[39:44] == "0012A"  # flight number: four digits and its suffix
    assert barcode[48:52] == "010F"


def test_the_seat_map_has_as_many_seats_as_the_flight_six_a_row() -> None:
    assert boarding.seat_map(8) == ["1A", "1B", "1C", "1D", "1E", "1F", "2A", "2B"]
    assert len(set(boarding.seat_map(186))) == 186
    assert boarding.seat_map(186)[-1] == "31F"


def test_the_back_rows_board_first() -> None:
    groups = {seat: boarding.boarding_group(seat, 180) for seat in ("1A", "15C", "30F")}
    assert groups == {"1A": "3", "15C": "2", "30F": "1"}
