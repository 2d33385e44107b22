"""Text tools: search keys that let Simplified and Traditional Chinese find each other."""

import re
import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t():
    return opencc.OpenCC("s2t")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def search_key(text: str) -> str:
    """Normalize text for search: NFKC (full-width to half-width), Simplified Chinese, lower case, single spaces."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_simplified(text).lower()
    return " ".join(text.split())


# markup that has no business in a plain-text field: tags, event handlers and script URLs
_MARKUP = re.compile(r"<\s*/?\s*[a-z!][^>]*>|javascript\s*:|vbscript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)


def has_markup(text: str) -> bool:
    """True if plain text carries HTML tags, event-handler attributes or script URLs (after NFKC folding,
    so full-width ＜script＞ counts too). Fields that are plain text refuse such input with a clear message."""
    return bool(_MARKUP.search(unicodedata.normalize("NFKC", text or "")))
