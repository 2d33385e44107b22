"""The transparency log's tables are append-only (see core.dbguards)."""

from django.db import migrations

from gongkai.core.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0004_logleaf_lognode_treehead_notification")]
    operations = [append_only("core_logleaf", "core_lognode", "core_treehead")]
