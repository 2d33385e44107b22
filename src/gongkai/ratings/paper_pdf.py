"""The paper ballot sheets as a PDF: one A4 page per numbered sheet.

A sheet shows the round's title and id, the constituency, its number ("No. 000123", large, as text), the
instructions, and a table of the people on the list with one box per level of the scale. Nothing on it
identifies the voter.

Speed: everything that is the same on every sheet (title, instructions, the table) is drawn once into a PDF form
XObject that each page reuses; a page then only adds its number. A thousand sheets render in well under a
second.

Font (CJK glyphs): settings.GONGKAI_PDF_FONT (a TTF/TTC path) if set, else the WenQuanYi Micro Hei of the
fonts-wqy-microhei package if installed, else reportlab's built-in CID font STSong-Light (needs no file: the
PDF viewer supplies the glyphs).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .choices import Level, levels_of
from .models import RatedPerson, Round

WQY_PATH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
CID_FONT = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"

_registered: dict[str, str] = {}


def font_path() -> str:
    """The TTF/TTC file to use, or "" for the built-in CID font."""
    configured = getattr(settings, "GONGKAI_PDF_FONT", "") or ""
    if configured:
        return configured
    return WQY_PATH if os.path.exists(WQY_PATH) else ""


def font_name() -> str:
    """Register (once) and return the name of the CJK font for the sheets."""
    path = font_path()
    if path in _registered:
        return _registered[path]
    if path:
        name = "GongkaiCJK-" + os.path.basename(path).rsplit(".", 1)[0]
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    else:
        name = CID_FONT
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    _registered[path] = name
    return name


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width`: at spaces where there are some, else between characters
    (Chinese has no spaces)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            candidate = line + ch
            if pdfmetrics.stringWidth(candidate, font, size) <= width or not line:
                line = candidate
                continue
            cut = line.rfind(" ")
            if cut > 0 and ch != " ":
                lines.append(line[:cut])
                line = line[cut + 1 :] + ch
            else:
                lines.append(line.rstrip())
                line = ch.lstrip()
        lines.append(line)
    return lines


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten a text to `width`, with an ellipsis."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def instructions() -> list[str]:
    return [
        _("Tick one box for each person on the list, in the column of your rating."),
        _(
            "A sheet with more than one tick for a person counts as blank for that person; a person without a "
            "tick counts as blank."
        ),
        _("Do not write your name or anything else on the sheet. Fold it and put it in the ballot box."),
    ]


def render_sheets(
    *,
    round_: Round,
    constituency,
    first: int,
    last: int,
    people: Sequence[RatedPerson],
    font: str | None = None,
) -> bytes:
    """The sheets numbered first..last (inclusive) of this list, one A4 page each."""
    font = font or font_name()
    width, height = A4
    margin = 18 * mm
    inner = width - 2 * margin
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    pdf.setTitle(f"{round_.title} — {first:06d}-{last:06d}")
    pdf.setAuthor("Gongkai")

    # ------------------------------------------------------------ the part that is the same on every sheet
    pdf.beginForm("sheet")
    y = height - margin
    pdf.setFont(font, 16)
    for line in wrap(round_.title, font, 16, inner - 62 * mm)[:3]:
        y -= 18
        pdf.drawString(margin, y, line)
    y -= 16
    pdf.setFont(font, 10.5)
    where = constituency.name if constituency is not None else _("All raters of the round")
    pdf.drawString(
        margin, y, _fit(_("Constituency: %(name)s") % {"name": where}, font, 10.5, inner - 62 * mm)
    )
    y = min(y - 8, height - margin - 52)  # below the sheet number and round id at the top right
    pdf.setLineWidth(0.8)
    pdf.line(margin, y, width - margin, y)

    y -= 18
    pdf.setFont(font, 12)
    pdf.drawString(margin, y, _("How to fill in this sheet"))
    pdf.setFont(font, 10)
    for text in instructions():
        for i, line in enumerate(wrap(text, font, 10, inner - 12)):
            y -= 14
            if i == 0:
                pdf.drawString(margin, y, "•")
            pdf.drawString(margin + 12, y, line)
    y -= 14

    levels = list(levels_of(round_.scale))
    labels = [str(Level(lv).label) for lv in levels]
    name_w = max(inner * 0.42, inner - 30 * mm * len(levels))
    col_w = (inner - name_w) / len(levels)
    header_h = 26
    bottom = margin + 22
    row_h = min(30.0, max(12.0, (y - header_h - bottom) / max(len(people), 1)))
    text_size = min(12.0, row_h * 0.55)
    box = min(11.0, row_h * 0.6)
    top = y
    # header
    pdf.setLineWidth(0.6)
    pdf.rect(margin, top - header_h, inner, header_h)
    pdf.setFont(font, 10.5)
    pdf.drawString(margin + 6, top - header_h + 9, _("Person rated"))
    for i, label in enumerate(labels):
        x = margin + name_w + i * col_w
        pdf.line(x, top, x, top - header_h)
        lines = wrap(label, font, 10, col_w - 6)[:2]
        for j, line in enumerate(lines):
            baseline = top - header_h / 2 - 3 + (len(lines) - 1) * 5.5 - j * 11
            pdf.drawCentredString(x + col_w / 2, baseline, line)
    y = top - header_h
    for n, rated in enumerate(people, start=1):
        pdf.rect(margin, y - row_h, inner, row_h)
        pdf.setFont(font, text_size)
        name = f"{n}. {rated.person.name}"
        pdf.drawString(margin + 6, y - row_h / 2 - text_size * 0.35, _fit(name, font, text_size, name_w - 12))
        for i in range(len(levels)):
            x = margin + name_w + i * col_w
            pdf.line(x, y, x, y - row_h)
            pdf.rect(x + col_w / 2 - box / 2, y - row_h / 2 - box / 2, box, box)
        y -= row_h
    pdf.setFont(font, 8.5)
    pdf.drawString(
        margin, margin, _("The sheet number only shows that the sheet is genuine; it is not linked to you.")
    )
    pdf.endForm()

    # ------------------------------------------------------------------------------------------ the pages
    ident_label = _("Round no.") + " "
    ident = str(round_.pk)
    ident_x = width - margin - pdfmetrics.stringWidth(ident, LATIN, 10)
    label_x = ident_x - pdfmetrics.stringWidth(ident_label, font, 10)
    for number in range(first, last + 1):
        pdf.doForm("sheet")
        pdf.setFont(LATIN_BOLD, 26)
        pdf.drawRightString(width - margin, height - margin - 26, f"No. {number:06d}")
        pdf.setFont(font, 10)
        pdf.drawString(label_x, height - margin - 44, ident_label)
        pdf.setFont(LATIN, 10)
        pdf.drawString(ident_x, height - margin - 44, ident)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
