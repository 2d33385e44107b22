"""The `.xlsx` workbook of a closed round's results: a sheet with a line per person rated (counts and percentages
per level, blanks, ratings, negative share, consequence) and a summary sheet (the round's figures, the
distribution of all ratings, the exempted people). Every text cell goes through `core.xlsx` so that no name
typed into Gongkai becomes a formula."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongkai.core import xlsx

from .result_queries import RoundResults, Summary, SummaryLine, exemption_heads

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _legal(value):
    """Text without the control characters the .xlsx format refuses (the whole export would fail)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _append(sheet, values: list) -> None:
    sheet.append(xlsx.row(sheet, [_legal(v) for v in values]))


def _sheet_title(text: str) -> str:
    return (_SHEET_UNSAFE.sub(" ", _legal(text)).strip() or "Sheet")[:31]


def file_name(results: RoundResults) -> str:
    round_ = results.round
    return f"ratings-{round_.unit.code}-{round_.year}-{round_.pk}.xlsx"


def _lines_sheet(book, results: RoundResults, title: str) -> None:
    round_ = results.round
    sheet = book.create_sheet(title)
    _append(sheet, [f"{round_.unit.name} · {round_.title}"])
    heads = [_("Employee number"), _("Name"), _("Constituency")]
    for _lv, label in results.levels:
        heads += [label, _("%(level)s (%%)") % {"level": label}]
    heads += [_("Blank"), _("Ratings given"), _("Negative share (%)"), _("Consequence")]
    _append(sheet, heads)
    for line in results.lines:
        row: list = [
            line.person.employee_no,
            line.person.name,
            line.rated.constituency.name if line.rated.constituency else "",
        ]
        for cell in line.cells:
            row += [cell.count, float(cell.pct)]
        row += [line.blank, line.total, float(line.negative_share), line.flag_label if line.flag else ""]
        _append(sheet, row)


def _unique_title(text: str, taken: set[str]) -> str:
    title = _sheet_title(text)
    n = 1
    while title.lower() in taken:
        n += 1
        suffix = f" ({n})"
        title = _sheet_title(text)[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def workbook(results: RoundResults) -> bytes:
    """One round: the sheet of its people rated, then a summary sheet."""
    import openpyxl

    round_ = results.round
    book = openpyxl.Workbook(write_only=True)
    _lines_sheet(book, results, _sheet_title(f"{round_.year} {round_.title}"))
    sheet = book.create_sheet(_sheet_title(_("Summary")))
    _append(sheet, [_("Round"), round_.title])
    _append(sheet, [_("Unit"), round_.unit.name])
    _append(sheet, [_("Year"), round_.year])
    _append(sheet, [_("Scale"), str(round_.get_scale_display())])
    _append(sheet, [_("Electorate"), round_.electorate])
    _append(sheet, [_("Online ballots"), round_.ballots_online])
    _append(sheet, [_("Paper sheets counted"), round_.ballots_paper])
    _append(sheet, [_("Participation (%)"), float(results.participation_pct)])
    _append(sheet, [_("People rated"), len(results.lines)])
    _append(sheet, [_("Exempted"), len(results.exempted)])
    _append(sheet, [_("Flagged"), results.flags])
    _append(
        sheet,
        [
            _("Closed at"),
            timezone.localtime(round_.closed_at).strftime("%Y-%m-%d %H:%M") if round_.closed_at else "",
        ],
    )
    _append(sheet, [_("Tally digest"), round_.tally_digest])
    _append(sheet, [])
    _append(sheet, [_("Level"), _("Ratings"), _("Share (%)")])
    for cell in results.distribution:
        _append(sheet, [cell.label, cell.count, float(cell.pct)])
    _append(sheet, [_("Blank"), results.blank, ""])
    _append(sheet, [_("Total"), results.total, 100.0 if results.total else 0.0])
    if results.exempted:
        _append(sheet, [])
        _append(sheet, [_("Exempted"), _("Reason"), _("Note")])
        for rated in results.exempted:
            _append(sheet, [rated.person.name, str(rated.get_exemption_display()), rated.exemption_note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def summary_workbook(summary: Summary, rounds: list[RoundResults]) -> bytes:
    """The year's summary per unit with the group total, then a sheet per closed round (people × levels)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    taken: set[str] = set()
    sheet = book.create_sheet(_unique_title(_("Summary"), taken))
    _append(sheet, [_("Rating results per unit, %(year)s") % {"year": summary.year or ""}])
    heads = [_("Unit code"), _("Unit"), _("Rounds"), _("People to rate")]
    heads += [label for _key, label in exemption_heads()]
    heads += [_("Rated"), _("Raters"), _("Raters online"), _("Raters on paper")]
    for _lv, label in summary.levels:
        heads += [label, _("%(level)s (%%)") % {"level": label}]
    heads += [_("Blank"), _("Ratings given"), _("Flagged")]
    _append(sheet, heads)

    def figures(line: SummaryLine) -> list:
        row: list = [line.rounds, line.representatives]
        row += [n for _key, _label, n in line.exempted_rows]
        row += [line.rated, line.raters, line.raters_online, line.raters_paper]
        for lv, _label in summary.levels:
            row += [line.counts.get(lv, 0), float(line.pct(lv))]
        return [*row, line.blank, line.total, line.flags]

    for line in summary.lines:
        unit = line.unit
        _append(sheet, [unit.code if unit else "", unit.name if unit else "", *figures(line)])
    _append(sheet, ["", _("Total"), *figures(summary.total)])
    for results in rounds:
        round_ = results.round
        _lines_sheet(book, results, _unique_title(f"{round_.unit.name} {round_.title}", taken))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
