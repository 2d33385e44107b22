"""Published versions are append-only (see core.dbguards)."""

from django.db import migrations

from gongkai.core.dbguards import append_only


class Migration(migrations.Migration):
    dependencies = [("disclosures", "0001_initial")]
    operations = [append_only("disclosures_disclosureversion")]
