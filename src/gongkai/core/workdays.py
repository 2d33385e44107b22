"""Working days in mainland China: public holidays and the adjusted working days (调休) around them.

The calendar comes from the `chinesecalendar` package, which carries the State Council's yearly holiday
notice for the years it knows (2004 to the year of its release; upgrade the package when a new notice is out).
For a year the package does not know yet, `is_working_day` falls back to Monday–Friday: it cannot know the
holidays of a notice that has not been published, so a due date computed that far ahead may land on what will
become a holiday. `known_years()` says which years are covered.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar
from django.utils import timezone


@cache
def known_years() -> range:
    """The years for which the holiday calendar is known (inclusive range)."""
    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def is_known(day: dt.date) -> bool:
    return day.year in known_years()


def is_working_day(day: dt.date) -> bool:
    """True on a working day: a weekday that is not a public holiday, or a weekend day made a working day
    (调休). Outside the known years (see `known_years`): Monday to Friday."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return _is_working_date(day)


@cache
def _is_working_date(day: dt.date) -> bool:
    """`is_working_day` of a date, remembered (the library checks its whole table on every call)."""
    if is_known(day):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date `n` working days after `start` (`start` itself is not counted, whether or not it is a working
    day). `n` = 0 gives `start` itself; a negative `n` counts backwards."""
    if isinstance(start, dt.datetime):
        start = start.date()
    step = dt.timedelta(days=1 if n >= 0 else -1)
    day = start
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie after `start` up to and including `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_taken(start: dt.datetime, end: dt.datetime) -> int:
    """Working days from the moment `start` to the moment `end`: `working_days_between` of their dates in the
    project's time zone (the day of `start` is not counted, the day of `end` is, whether or not either is a
    working day; so an answer on the same day, or over a weekend, takes 0). Never negative: an `end` on an
    earlier local day than `start` gives 0."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    return max(0, _between_dates(first, last))


@cache
def _between_dates(start: dt.date, end: dt.date) -> int:
    """`working_days_between`, remembered (a backfill asks the same few thousand pairs of days many times)."""
    return working_days_between(start, end)
