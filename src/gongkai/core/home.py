"""The home page is made of panels that each app registers: what this person has to do, per role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass
class Panel:
    title: str | Promise
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


PanelFactory = Callable[[Any, Any], "Panel | None"]  # (request, scope) -> Panel | None
_factories: list[PanelFactory] = []


def register(factory: PanelFactory) -> PanelFactory:
    if factory not in _factories:
        _factories.append(factory)
    return factory


def panels_for(request, scope) -> list[Panel]:
    found = [p for f in _factories if (p := f(request, scope)) is not None]
    return sorted(found, key=lambda p: p.order)
