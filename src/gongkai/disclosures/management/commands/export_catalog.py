"""`gongkai export-catalog FILE`: write the disclosure catalog as an .xlsx workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.disclosures import catalog
from gongkai.disclosures.models import CatalogItem


class Command(BaseCommand):
    help = "Write the disclosure catalog (every item, active or not) to an .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file to write")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        try:
            path.write_bytes(catalog.export_xlsx())
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(self.style.SUCCESS(f"{CatalogItem.objects.count()} items written to {path}"))
