"""What changed between two versions: a line diff of their text (title, body, attachments) with the changes
inside a changed line marked character by character (Chinese has no spaces between words).

Every piece of text is escaped before it is wrapped in <ins>/<del>: a version's body never reaches the page as
markup through a diff.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .sanitize import body_text


@dataclass(frozen=True)
class Row:
    kind: str  # "same", "changed", "added", "removed"
    old_no: int | None
    old: SafeString
    new_no: int | None
    new: SafeString


def version_lines(title: str, body: str, attachments: list[dict] | None = None) -> list[str]:
    lines = [title, *body_text(body).splitlines()]
    for item in attachments or []:
        lines.append(f"📎 {item.get('name', '')} · {item.get('sha256', '')[:12]}")
    return lines


def _inline(old: str, new: str) -> tuple[SafeString, SafeString]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left: list[str] = []
    right: list[str] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(old[a1:a2]))
            right.append(escape(new[b1:b2]))
            continue
        if a2 > a1:
            left.append(f"<del>{escape(old[a1:a2])}</del>")
        if b2 > b1:
            right.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - every piece escaped above


def diff_rows(old: list[str], new: list[str]) -> list[Row]:
    rows: list[Row] = []
    empty = mark_safe("")  # noqa: S308
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(a1, a2), range(b1, b2), strict=True):
                rows.append(Row("same", i + 1, escape(old[i]), j + 1, escape(new[j])))
            continue
        pairs = min(a2 - a1, b2 - b1) if op == "replace" else 0
        for k in range(pairs):
            left, right = _inline(old[a1 + k], new[b1 + k])
            rows.append(Row("changed", a1 + k + 1, left, b1 + k + 1, right))
        for i in range(a1 + pairs, a2):
            rows.append(Row("removed", i + 1, mark_safe(f"<del>{escape(old[i])}</del>"), None, empty))  # noqa: S308
        for j in range(b1 + pairs, b2):
            rows.append(Row("added", None, empty, j + 1, mark_safe(f"<ins>{escape(new[j])}</ins>")))  # noqa: S308
    return rows
