"""Home-page panel of the core: the state of the audit ledger, for system admins of the whole group."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from .access import ROOT
from .choices import Role
from .home import Panel
from .models import LedgerHead


def ledger_panel(request, scope):
    if ROOT not in scope.paths(Role.ADMIN):
        return None
    last = (
        DBTaskResult.objects.filter(task_path="gongkai.core.tasks.verify_ledger")
        .order_by("-enqueued_at")
        .only("status", "enqueued_at", "finished_at", "return_value")
        .first()
    )
    head = LedgerHead.objects.filter(pk=1).first()
    return Panel(
        title=_("Audit ledger"),
        template="core/panels/ledger.html",
        context={"last": last, "entries": head.seq if head else 0},
        order=95,
    )


FACTORIES = [ledger_panel]
