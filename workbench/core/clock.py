"""Times as a person sees them: the stored UTC instants in a time zone, and days in a zone.

Every timestamp is stored as naive UTC (`store.now`). A person sees it in their zone: their
own choice, else the project's (Asia/Seoul for a Korean project), else the server's (`TZ`, or
the system's zone; UTC when neither names one). A day (a bar of a per-day chart, a pay period's
ends) runs from midnight to midnight in a zone: 08:00 KST on the 1st is 23:00 UTC on the last
day of the month before, and counts on the 1st in Seoul.

Zone names are IANA names (`Asia/Seoul`, `Europe/Berlin`, `UTC`); the zone database comes from
the system or the `tzdata` package (pinned in requirements.txt), so it exists on any machine.
"""

from __future__ import annotations

import os
from contextlib import suppress
from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from workbench.core.errors import WorkbenchError

__all__ = [
    "LANGUAGE_ZONES",
    "zone_names",
    "check_zone",
    "zone",
    "language_zone",
    "server_zone",
    "choose_zone",
    "local",
    "shown",
    "iso",
    "day_of",
    "day_start",
    "period",
]

LANGUAGE_ZONES = {"ko": "Asia/Seoul"}  # a new project in the language takes this zone
SHOWN = "%Y-%m-%d %H:%M"  # every time shown to a person, then the zone's abbreviation
NOT_ZONES = {"localtime", "Factory", "posixrules"}  # files in the database that are not zones


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name a person may choose, sorted."""
    return tuple(sorted(set(available_timezones()) - NOT_ZONES))


def check_zone(name: str) -> str:
    """`name` stripped if it is an IANA zone name; WorkbenchError otherwise."""
    name = (name or "").strip()
    if name not in zone_names():
        raise WorkbenchError(
            f"unknown time zone {name[:80]!r}: an IANA name such as Asia/Seoul or Europe/Berlin"
        )
    return name


def zone(name: str) -> ZoneInfo:
    """The zone called `name` (checked: see `check_zone`)."""
    return ZoneInfo(check_zone(name))


def language_zone(language: str) -> str | None:
    """The zone a new project in `language` takes (Asia/Seoul for Korean), or None: the
    server's."""
    return LANGUAGE_ZONES.get((language or "").strip().lower())


def server_zone() -> ZoneInfo:
    """The server's own zone: `TZ` when it names an IANA zone, else the system's
    (/etc/timezone or the zone /etc/localtime links to), else UTC."""
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    with suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    link = Path("/etc/localtime")
    if link.is_symlink():
        target = str(link.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name in zone_names():
            return ZoneInfo(name)
    return ZoneInfo("UTC")


def choose_zone(preference: str | None, project_zone: str | None) -> ZoneInfo:
    """The zone a person sees times in: their preference, else the project's, else the
    server's. A name no longer known (the zone database changed) is passed over."""
    for name in (preference, project_zone):
        if name and name in zone_names():
            return ZoneInfo(name)
    return server_zone()


def local(moment: datetime, where: tzinfo) -> datetime:
    """A stored moment (naive UTC, or aware) in the zone `where`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(where)


def shown(moment: datetime | None, where: tzinfo, seconds: bool = False) -> str:
    """A moment as a person reads it: `2025-03-01 09:05 KST` (with `:SS` when `seconds`);
    '' for None."""
    if moment is None:
        return ""
    there = local(moment, where)
    name = there.strftime("%Z")
    return there.strftime(SHOWN + (":%S" if seconds else "")) + (f" {name}" if name else "")


def iso(moment: datetime | None, where: tzinfo) -> str:
    """A moment for a file (CSV): ISO 8601 in the zone `where`, with its offset
    (`2025-03-01T09:05:00+09:00`); '' for None."""
    if moment is None:
        return ""
    return local(moment, where).isoformat(timespec="seconds")


def day_of(moment: datetime, where: tzinfo) -> date:
    """The day a moment falls on in the zone `where`."""
    return local(moment, where).date()


def day_start(day: date, where: tzinfo) -> datetime:
    """The moment `day` begins in the zone `where`, as stored: naive UTC."""
    begins = datetime.combine(day, time(), tzinfo=where)
    return begins.astimezone(UTC).replace(tzinfo=None)


def period(start: date, end: date, where: tzinfo) -> tuple[datetime, datetime]:
    """The days [start, end) in the zone `where` as stored moments (naive UTC): from the
    start of `start` to the start of `end`."""
    return day_start(start, where), day_start(end, where)
