"""The body of a disclosure is rich text written in a browser: it is cleaned with nh3 (the Rust `ammonia`
sanitizer) before it is stored, so that what is published and logged is already safe to show.

Allowed: paragraphs, line breaks, emphasis, lists, tables, headings h2–h4, quotes and links (http, https,
mailto; every link gets ``rel="noopener noreferrer"``). Everything else goes: ``<script>`` and ``<style>``
with their content, event handlers (``onerror=`` …), ``style=`` attributes, ``javascript:`` URLs, comments.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Tags after which the plain text starts a new line (for search text and diffs).
_BLOCK_END = re.compile(r"</(p|li|tr|h[2-4]|blockquote|table|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z!/]")


def clean_body(value: str) -> str:
    """Sanitize rich text for storage. Plain text (no tags) becomes paragraphs, one per line."""
    value = (value or "").strip()
    if value and not _LOOKS_LIKE_HTML.search(value):
        value = "".join(f"<p>{html.escape(line)}</p>" for line in value.splitlines() if line.strip())
    return _clean(value).strip()


def _clean(value: str) -> str:
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def body_text(value: str) -> str:
    """The text of a (sanitized) body without tags: one line per paragraph, list item or table row."""
    text = _BLOCK_END.sub("\n", value or "")
    text = _CELL_END.sub("\t", text)
    text = html.unescape(_TAG.sub("", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def render_body(value: str) -> str:
    """Sanitize a stored body again for display (the same rules as storage)."""
    return _clean(value)
