"""Background work of the transparency log (run by `gongkai worker`; schedule as in docs/operations.md)."""

import logging

from django.core.mail import mail_admins
from django_tasks import task

from . import tlog

logger = logging.getLogger(__name__)


@task()
def sign_tree_head() -> dict:
    """Sign a tree head for the log as it is now (daily)."""
    return tlog.head_json(tlog.sign_tree_head())


@task()
def verify_log() -> dict:
    """Recompute the whole log; on a problem, log it and mail the admins."""
    result = tlog.verify_all()
    if not result.ok:
        logger.error("transparency log broken: %s", result.problems[0])
        mail_admins("Gongkai: transparency log verification failed", "\n".join(result.problems))
    return {
        "ok": result.ok,
        "leaves": result.leaves,
        "tree_heads": result.tree_heads,
        "problems": result.problems,
    }
