"""Timestamps as margin stores them, and bringing other spellings to that form.

margin writes UTC with microseconds at a fixed width, so comparing two stored
values as strings compares them as times; merges and imports rely on that to let
the newer edit win. A timestamp read from a file is therefore accepted only once it
parses as ISO 8601 and has been rewritten in that form, and one that lies in the
future (beyond a little clock skew) is refused, since it would win every later
merge.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

STORED_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
ALLOWED_SKEW = timedelta(minutes=5)
_STORED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


class TimestampError(ValueError):
    """A timestamp that cannot be stored; the message says why."""


def format_utc(moment: datetime) -> str:
    """``STORED_FORMAT``, with the year always four digits wide (strftime drops the
    leading zeros of early years on some platforms, which would break the order)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def now_iso() -> str:
    """Now, in the stored form."""
    return format_utc(datetime.now(UTC))


def _parse(value: str) -> datetime:
    text = value.strip()
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimestampError("not an ISO 8601 date and time") from None
    # Without an offset the time is taken as UTC, which is what tools that leave it
    # out (and margin's own older files) mean.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def normalise(value: str, *, now: datetime | None = None) -> str:
    """``value`` in the stored form; TimestampError when it is not a time margin can
    keep (unparsable, or later than now plus the allowed skew)."""
    if not isinstance(value, str) or not value.strip():
        raise TimestampError("not an ISO 8601 date and time")
    moment = _parse(value)
    try:
        later_than_now = moment > (now or datetime.now(UTC)) + ALLOWED_SKEW
    except OverflowError:
        later_than_now = True
    if later_than_now:
        raise TimestampError("in the future")
    try:
        return format_utc(moment)
    except OverflowError:
        raise TimestampError("out of range") from None


def comparable(value: str | None) -> str:
    """A stored value as it should compare: in the stored form, or "" (older than
    any time) when it cannot be read, so an odd string written before timestamps
    were checked never wins against a real one."""
    if not value:
        return ""
    if _STORED.fullmatch(value):
        return value
    try:
        return format_utc(_parse(value))
    except (TimestampError, OverflowError, ValueError):
        return ""


def just_after(stamp: str) -> str:
    """``stamp`` plus one microsecond, in the stored form: the time a change that
    follows from an edit (a span moved onto a newer version of its text) carries, so
    it beats the unmoved copy of that edit in a merge and loses to any later edit."""
    if not _STORED.fullmatch(stamp or ""):
        return now_iso()  # not margin's own spelling: the move is simply an edit made now
    # fromisoformat, not strptime: a settle stamps every span it moves, and strptime took
    # a seventh of the time of moving 10,000 of them.
    try:
        return (datetime.fromisoformat(stamp[:-1]) + timedelta(microseconds=1)).isoformat(
            timespec="microseconds"
        ) + "Z"
    except (ValueError, OverflowError):  # not a real date, or the last microsecond of year 9999
        return now_iso()
