"""Subqueries shared by the lists of rounds (the management list, the home-page panel)."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def count_per_round(model, **filters) -> Coalesce:
    """An annotation: how many rows of `model` (with a `round` foreign key) match `filters` for each round, 0 for
    none; one subquery, so that a list costs the same number of queries whatever its length."""
    rows = (
        model.objects.filter(round=OuterRef("pk"), **filters)
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))
