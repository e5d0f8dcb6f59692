"""Times in a zone (pure): stored naive UTC shown in the reader's zone, days that begin at
midnight there, the zone chosen (the person's, the project's, the server's). Every zone is
named here, so nothing depends on the test machine's own."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from workbench.core.clock import (
    check_zone,
    choose_zone,
    day_of,
    day_start,
    iso,
    language_zone,
    local,
    period,
    server_zone,
    shown,
    zone,
    zone_names,
)
from workbench.core.errors import WorkbenchError

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
JUST_AFTER_MIDNIGHT_KST = datetime(2025, 2, 28, 15, 30)  # stored: naive UTC; 00:30 on 1 March


def test_a_stored_moment_in_a_zone():
    there = local(JUST_AFTER_MIDNIGHT_KST, SEOUL)
    assert (there.date(), there.hour, there.minute) == (date(2025, 3, 1), 0, 30)
    assert there.utcoffset().total_seconds() == 9 * 3600
    aware = datetime(2025, 2, 28, 15, 30, tzinfo=UTC)  # an aware moment is taken as it is
    assert local(aware, SEOUL) == there


def test_shown_and_iso():
    assert shown(JUST_AFTER_MIDNIGHT_KST, SEOUL) == "2025-03-01 00:30 KST"
    assert shown(JUST_AFTER_MIDNIGHT_KST, UTC) == "2025-02-28 15:30 UTC"
    assert shown(datetime(2025, 7, 1, 12, 0, 5), NEW_YORK, seconds=True) == (
        "2025-07-01 08:00:05 EDT"  # summer time
    )
    assert shown(datetime(2025, 1, 1, 12), NEW_YORK) == "2025-01-01 07:00 EST"
    assert shown(None, SEOUL) == "" and iso(None, SEOUL) == ""
    assert iso(JUST_AFTER_MIDNIGHT_KST, SEOUL) == "2025-03-01T00:30:00+09:00"
    assert iso(JUST_AFTER_MIDNIGHT_KST, UTC) == "2025-02-28T15:30:00+00:00"
    assert datetime.fromisoformat(iso(JUST_AFTER_MIDNIGHT_KST, SEOUL)) == local(
        JUST_AFTER_MIDNIGHT_KST, UTC
    )  # the same instant, whichever zone wrote it


def test_just_after_midnight_in_seoul_is_the_day_before_in_utc():
    assert day_of(JUST_AFTER_MIDNIGHT_KST, SEOUL) == date(2025, 3, 1)
    assert day_of(JUST_AFTER_MIDNIGHT_KST, UTC) == date(2025, 2, 28)
    assert day_of(datetime(2025, 3, 1, 14, 59, 59), SEOUL) == date(2025, 3, 1)
    assert day_of(datetime(2025, 3, 1, 15, 0), SEOUL) == date(2025, 3, 2)


def test_days_begin_at_midnight_in_the_zone():
    assert day_start(date(2025, 3, 1), SEOUL) == datetime(2025, 2, 28, 15, 0)
    assert day_start(date(2025, 3, 1), UTC) == datetime(2025, 3, 1)
    # the day summer time starts in New York is 23 hours long
    assert day_start(date(2025, 3, 9), NEW_YORK) == datetime(2025, 3, 9, 5, 0)
    assert day_start(date(2025, 3, 10), NEW_YORK) == datetime(2025, 3, 10, 4, 0)
    since, until = period(date(2025, 3, 1), date(2025, 4, 1), SEOUL)
    assert (since, until) == (datetime(2025, 2, 28, 15, 0), datetime(2025, 3, 31, 15, 0))
    assert since <= JUST_AFTER_MIDNIGHT_KST < until  # in March, in Seoul
    utc_march = period(date(2025, 3, 1), date(2025, 4, 1), UTC)
    assert not utc_march[0] <= JUST_AFTER_MIDNIGHT_KST < utc_march[1]  # February's in UTC


def test_zone_names_are_checked():
    assert check_zone(" Asia/Seoul ") == "Asia/Seoul"
    assert zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    assert "Asia/Seoul" in zone_names() and "UTC" in zone_names()
    assert "localtime" not in zone_names()
    for wrong in ("Seoul", "Asia/Nowhere", "", "../../etc/passwd", "/usr/share/zoneinfo/UTC"):
        with pytest.raises(WorkbenchError, match="unknown time zone"):
            check_zone(wrong)


def test_the_zone_is_the_persons_then_the_projects_then_the_servers(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert server_zone() == ZoneInfo("Europe/Berlin")
    assert choose_zone("America/New_York", "Asia/Seoul") == NEW_YORK
    assert choose_zone(None, "Asia/Seoul") == SEOUL
    assert choose_zone(None, None) == ZoneInfo("Europe/Berlin")
    assert choose_zone("Gone/Zone", None) == ZoneInfo("Europe/Berlin")  # no longer known
    monkeypatch.setenv("TZ", ":Asia/Seoul")  # the glibc spelling of a zone file
    assert server_zone() == SEOUL
    assert language_zone("ko") == language_zone(" KO ") == "Asia/Seoul"
    assert language_zone("en") is None and language_zone("auto") is None
