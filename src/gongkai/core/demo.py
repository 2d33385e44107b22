"""Demo data hooks: each domain app registers a loader that adds its part after the organisation is loaded.

A loader is called as ``loader(scale, seed)`` and returns a dict of counts (name -> number created). Loaders run
in registration order (app order in INSTALLED_APPS) and must be deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Callable

Loader = Callable[[str, int], dict]
_loaders: list[Loader] = []


def register(loader: Loader) -> Loader:
    if loader not in _loaders:
        _loaders.append(loader)
    return loader


def run_all(scale: str, seed: int) -> dict:
    counts: dict = {}
    for loader in _loaders:
        counts.update(loader(scale, seed))
    return counts


NoteSource = Callable[[], list[str]]
_notes: list[NoteSource] = []


def register_notes(source: NoteSource) -> NoteSource:
    """Register lines that `gongkai demo-logins` prints after the logins (who can try what in an app's demo)."""
    if source not in _notes:
        _notes.append(source)
    return source


def login_notes() -> list[str]:
    lines: list[str] = []
    for source in _notes:
        lines.extend(source())
    return lines
