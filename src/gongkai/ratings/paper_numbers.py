"""Sheet numbers of paper batches, as a liaison writes them ("1-40, 43, 45-50") and as they are stored.

Strict: anything but numbers and ranges (separated by commas, also the Chinese "，" and "、", or semicolons) is
refused with a message that quotes the part that could not be read; a number written twice, a range that runs
backwards, a number beyond the six digits printed on a sheet or a batch larger than `BATCH_MAX` sheets too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BATCH_MAX = 2000  # sheets in one batch
SHEET_NUMBER_MAX = 999_999  # six digits on the sheet
SHEET_NUMBERS_MAX = 2000  # characters of PaperBatch.sheet_numbers


_RANGE = re.compile(r"^(\d{1,7})(?:\s*-\s*(\d{1,7}))?$")


def parse_sheet_numbers(text: str, *, limit: int = BATCH_MAX) -> list[int]:
    """ "1-40, 43, 45-50" → the sorted sheet numbers. Refuses anything else with a clear message."""
    raw = (text or "").strip()
    if not raw:
        raise ValidationError(
            _("Write the sheet numbers of the batch, e.g. 1-40, 43, 45-50."), code="sheet_numbers"
        )
    numbers: list[int] = []
    seen: set[int] = set()
    for part in re.split(r"\s*[,，、;；]\s*", raw):
        m = _RANGE.match(part.strip())
        if not m:
            raise ValidationError(
                _('"%(part)s" is not a sheet number or a range like 45-50.') % {"part": part.strip()[:40]},
                code="sheet_numbers",
            )
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) is not None else first
        if first < 1 or last > SHEET_NUMBER_MAX:
            raise ValidationError(
                _("Sheet numbers run from 1 to %(max)s.") % {"max": SHEET_NUMBER_MAX}, code="sheet_numbers"
            )
        if last < first:
            raise ValidationError(
                _("The range %(first)s-%(last)s runs backwards; write it as %(last)s-%(first)s.")
                % {"first": first, "last": last},
                code="sheet_range_reversed",
            )
        if last - first + 1 + len(numbers) > limit:
            raise ValidationError(
                _("A batch holds at most %(max)s sheets; split the pile into several batches.")
                % {"max": limit},
                code="batch_too_large",
            )
        for n in range(first, last + 1):
            if n in seen:
                raise ValidationError(
                    _("Sheet %(number)s is written twice.") % {"number": n}, code="sheet_repeated"
                )
            seen.add(n)
            numbers.append(n)
    return sorted(numbers)


def format_sheet_numbers(numbers: Iterable[int]) -> str:
    """The sorted numbers as compact ranges: [1, 2, 3, 5] → "1-3, 5"."""
    parts: list[str] = []
    ordered = sorted(set(numbers))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ", ".join(parts)
