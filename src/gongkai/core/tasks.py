"""Background work of the core: verifying the audit ledger (run by `gongkai worker`)."""

import logging

from django.core.mail import mail_admins
from django_tasks import task

from . import ledger

logger = logging.getLogger(__name__)


@task()
def verify_ledger() -> dict:
    """Recompute the whole ledger chain; on a mismatch, log it and mail the admins."""
    result = ledger.verify()
    outcome = {"ok": result.ok, "checked": result.checked, "bad_seq": result.bad_seq, "reason": result.reason}
    if not result.ok:
        logger.error("audit ledger broken at entry #%s: %s", result.bad_seq, result.reason)
        mail_admins(
            "Gongkai: audit ledger verification failed",
            f"First entry that does not match: #{result.bad_seq} ({result.reason}).",
        )
    return outcome
