"""Background work of the insight pages (run by `gongkai worker`): the similarity index and theme groupings.

`schedule_index_rebuild()` is called after a submission (by `author_actions.submit`, after the commit): it
queues `rebuild_suggestion_index` a little later (REBUILD_DELAY), and only if no rebuild is waiting already, so
a burst of submissions costs one rebuild. Until the rebuild has run, `similarity.similar` compares the new
suggestions on the fly, so nothing is missed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

logger = logging.getLogger(__name__)

REBUILD_DELAY = dt.timedelta(seconds=30)


@task()
def rebuild_suggestion_index() -> dict:
    """Rebuild the similarity index of the submitted suggestions (see similarity.build_index)."""
    from . import similarity

    index = similarity.build_index()
    return {"suggestions": index.size, "seconds": round(index.seconds, 2)}


def _rebuild_waiting() -> bool:
    """True if a rebuild is already queued and not started (only the database backend can tell)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is installed
        return False
    backend = rebuild_suggestion_index.get_backend()
    if type(backend).__module__.split(".")[0] != "django_tasks_db":
        return False
    return DBTaskResult.objects.filter(
        task_path=rebuild_suggestion_index.module_path, status=TaskResultStatus.READY
    ).exists()


def _enqueue_rebuild() -> None:
    if _rebuild_waiting():
        return
    backend = rebuild_suggestion_index.get_backend()
    job = rebuild_suggestion_index
    if getattr(backend, "supports_defer", False):
        job = job.using(run_after=timezone.now() + REBUILD_DELAY)
    job.enqueue()


def schedule_index_rebuild() -> None:
    """Queue one rebuild of the similarity index after the current transaction commits (debounced)."""
    transaction.on_commit(_enqueue_rebuild)


@task()
def group_themes(run_id: int) -> dict:
    """Compute a theme grouping requested on the themes page (themes.request_grouping)."""
    from . import themes
    from .models import ThemeRun

    run = ThemeRun.objects.select_related("unit").get(pk=run_id)
    run = themes.compute(run)
    return {"run": run.pk, "suggestions": run.suggestions, "seconds": run.seconds, "error": run.error}
