"""Themes: the suggestions of a unit (and its subtree) submitted in a period, grouped automatically.

How: the jieba words of title + problem + proposal (`similarity.word_tokens`, the near-duplicate tokenizer
without the bigrams, so the labels are words) → TF-IDF (sublinear tf) → LSA (truncated SVD to at most 60
dimensions, rows normalised: short texts that share no word but share topics come together) → k-means (three
seeded starts). The number of themes: for fewer than 50 texts the best silhouette among 2–5; from 50 texts up
√(n/8) between 5 and 20 (trying several k and scoring each took three times as long at 3,000 texts for
groupings a reader could not tell apart). Everything is seeded (random_state=0): the same suggestions give the same themes.

A theme's label is its top terms — the words whose weight in the theme's centre exceeds most their weight over
all the texts (so the words every suggestion uses, like 职工, do not label every theme). Examples are the
suggestions nearest the centre; members are ordered from the centre outwards. Themes are ordered by size.

bench/suggestions.py measures a month of the large group (about 4,000 texts): see its report. Most of the time
is jieba's segmentation.

`request_grouping` (the themes page) records a pending ThemeRun and queues `insight_tasks.group_themes`;
`compute` does the work on a run; `group` does both at once (the benchmark, the shell).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from gongkai.core.access import require

from .access import MANAGE_ROLES
from .choices import Status
from .models import Suggestion, Theme, ThemeRun
from .similarity import make_vectorizer, suggestion_key, word_tokens

logger = logging.getLogger(__name__)

MAX_THEMES = 20
LABEL_TERMS = 3
TERMS = 8
EXAMPLES = 5
MAX_PERIOD_DAYS = 366
SAMPLE = 1500
DIMENSIONS = 60


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware datetimes [start 00:00, end+1 00:00) of an inclusive period of local dates."""
    tz = timezone.get_current_timezone()
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return begin, finish


def period_suggestions(unit, start: dt.date, end: dt.date):
    """The submitted suggestions of `unit` and its subtree submitted from `start` to `end` (inclusive)."""
    begin, finish = _period(start, end)
    return (
        Suggestion.objects.exclude(status=Status.DRAFT)
        .filter(unit__path__startswith=unit.path, submitted_at__gte=begin, submitted_at__lt=finish)
        .order_by("pk")
    )


def _candidates(n: int) -> list[int]:
    """The numbers of themes to try: a handful of texts → 2 to 5 (the silhouette decides); from 50 texts up, one
    number from the size (√(n/8), between 5 and 20: 200 texts → 5, 800 → 10, 3,200 and more → 20)."""
    if n < 4:
        return [1] if n else []
    if n < 50:
        return list(range(2, min(5, n // 2) + 1))
    return [int(min(MAX_THEMES, max(5, round((n / 8) ** 0.5))))]


def cluster(texts: list[str]) -> tuple[np.ndarray, list[list[str]], np.ndarray]:
    """Group normalised texts: (label of each text, top terms of each group, closeness of each text to its
    group's centre). Deterministic."""
    n = len(texts)
    if n == 0:
        return np.zeros(0, dtype=int), [], np.zeros(0)
    vectorizer = make_vectorizer(
        tokenizer=word_tokens, min_df=2 if n >= 50 else 1, max_df=0.5 if n >= 50 else 1.0
    )
    try:
        tfidf = vectorizer.fit_transform(texts)
    except ValueError:  # no word at all (texts of punctuation and numbers)
        return np.zeros(n, dtype=int), [[]], np.ones(n)
    features = np.asarray(vectorizer.get_feature_names_out())
    candidates = _candidates(n)
    if candidates == [1] or tfidf.shape[1] < 2:
        labels = np.zeros(n, dtype=int)
        space = normalize(tfidf.toarray() if tfidf.shape[1] < 2 else tfidf)
    else:
        dims = min(DIMENSIONS, n - 1, tfidf.shape[1] - 1)
        space = normalize(TruncatedSVD(n_components=dims, random_state=0).fit_transform(tfidf))
        best: tuple[float, np.ndarray] | None = None
        for k in candidates:
            if k >= n:
                continue
            model = KMeans(n_clusters=k, n_init=3, random_state=0).fit(space)
            if len(candidates) == 1:
                best = (0.0, model.labels_)
                break
            if len(set(model.labels_)) < 2:
                continue
            score = silhouette_score(space, model.labels_, sample_size=min(n, SAMPLE), random_state=0)
            if best is None or score > best[0]:
                best = (score, model.labels_)
        labels = best[1] if best is not None else np.zeros(n, dtype=int)
    overall = np.asarray(tfidf.mean(axis=0)).ravel()
    terms: list[list[str]] = []
    closeness = np.zeros(n)
    for group in range(labels.max() + 1):
        members = np.flatnonzero(labels == group)
        if not len(members):
            terms.append([])
            continue
        centre = np.asarray(tfidf[members].mean(axis=0)).ravel()
        lift = centre - overall
        order = [i for i in np.argsort(-lift) if centre[i] > 0][:TERMS]
        terms.append([str(features[i]) for i in order])
        middle = np.asarray(space[members].mean(axis=0)).ravel()
        closeness[members] = np.asarray(space[members] @ middle).ravel()
    return labels, terms, closeness


def compute(run: ThemeRun) -> ThemeRun:
    """Group the suggestions of the run's unit and period into Theme rows (replacing any of an earlier try)."""
    started = time.perf_counter()
    rows = list(
        period_suggestions(run.unit, run.start, run.end).values_list(
            "pk", "search_text", "title", "problem", "proposal"
        )
    )
    texts = [
        search_text or suggestion_key(title, problem, proposal)
        for _pk, search_text, title, problem, proposal in rows
    ]
    ids = np.asarray([r[0] for r in rows], dtype=np.int64)
    error = ""
    themes: list[Theme] = []
    try:
        labels, terms, closeness = cluster(texts)
        for group, group_terms in enumerate(terms):
            members = np.flatnonzero(labels == group)
            if not len(members):
                continue
            ordered = members[np.argsort(-closeness[members], kind="stable")]
            themes.append(
                Theme(
                    run=run,
                    label="、".join(group_terms[:LABEL_TERMS]) or _("(no common words)"),
                    terms=group_terms,
                    size=len(members),
                    examples=[int(pk) for pk in ids[ordered[:EXAMPLES]]],
                    members=[int(pk) for pk in ids[ordered]],
                )
            )
    except Exception as exc:  # a failed grouping is shown on the page, not lost in a worker log
        logger.exception("theme grouping %s failed", run.pk)
        error = f"{type(exc).__name__}: {exc}"
        themes = []
    with transaction.atomic():
        Theme.objects.filter(run=run).delete()
        Theme.objects.bulk_create(sorted(themes, key=lambda t: (-t.size, t.members[0])))
        run.suggestions = len(rows)
        run.seconds = round(time.perf_counter() - started, 3)
        run.finished_at = timezone.now()
        run.error = error
        run.save(update_fields=["suggestions", "seconds", "finished_at", "error"])
    return run


def group(unit, start: dt.date, end: dt.date, requested_by=None) -> ThemeRun:
    """Group the suggestions of `unit` (and its subtree) submitted from `start` to `end` now; returns the run."""
    run = ThemeRun.objects.create(unit=unit, start=start, end=end, requested_by=requested_by)
    return compute(run)


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError(_("The period must end on or after the day it starts."), code="period_order")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise ValidationError(_("Group at most one year of suggestions at a time."), code="period_too_long")


def request_grouping(*, actor, unit, start: dt.date, end: dt.date) -> ThemeRun:
    """Record a theme grouping to compute for a manager of `unit` and queue it for the worker.

    A grouping of the same unit and period that is still waiting is returned instead of queueing another."""
    require(actor, MANAGE_ROLES, unit.path)
    check_period(start, end)
    from .insight_tasks import group_themes

    with transaction.atomic():
        waiting = (
            ThemeRun.objects.select_for_update()
            .filter(unit=unit, start=start, end=end, finished_at__isnull=True)
            .filter(requested_at__gte=timezone.now() - dt.timedelta(minutes=30))
            .first()
        )
        if waiting is not None:
            return waiting
        run = ThemeRun.objects.create(unit=unit, start=start, end=end, requested_by=actor)
        transaction.on_commit(lambda: group_themes.enqueue(run.pk))
    return run
