"""Text tools: search keys that let Simplified and Traditional Chinese find each other."""

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
