from decimal import Decimal

from django.db import migrations

from gongkai.core.dbguards import append_only

# the five grades of DOMAIN.md, by net annual saving (yuan); the awards are defaults that the union can change
DEFAULT_BANDS = [
    (1, "一等奖", Decimal("1000000"), Decimal("20000")),
    (2, "二等奖", Decimal("500000"), Decimal("10000")),
    (3, "三等奖", Decimal("100000"), Decimal("5000")),
    (4, "四等奖", Decimal("10000"), Decimal("1000")),
    (5, "五等奖", Decimal("0"), Decimal("200")),
]


def add_bands(apps, schema_editor):
    AwardBand = apps.get_model("suggestions", "AwardBand")
    for grade, name, min_saving, award in DEFAULT_BANDS:
        AwardBand.objects.get_or_create(grade=grade, defaults={"name": name, "min_saving": min_saving, "award": award})


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]

    operations = [
        append_only("suggestions_suggestionevent"),
        migrations.RunPython(add_bands, migrations.RunPython.noop),
    ]
