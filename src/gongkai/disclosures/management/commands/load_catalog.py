"""`gongkai load-catalog [FILE]`: load the standard disclosure catalog (or a JSON file of the same shape)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongkai.disclosures import catalog


class Command(BaseCommand):
    help = (
        "Load the standard disclosure catalog shipped with Gongkai (disclosures/data/catalog.json) or the given "
        "JSON file: categories and items are added or updated by code; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="a catalog JSON file (default: the standard catalog)")

    def handle(self, *args, file=None, **options):
        try:
            counts = catalog.load_standard_catalog(path=file)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("the catalog has errors; nothing was loaded") from exc
        self.stdout.write(
            self.style.SUCCESS(
                "catalog loaded: {categories_added} categories added, {categories_changed} changed; "
                "{items_added} items added, {items_changed} changed, {items_unchanged} unchanged".format(
                    **counts
                )
            )
        )
