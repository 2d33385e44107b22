"""`gongkai generate-schedule --year 2026 [--unit CODE]`: create the year's schedule entries from the catalog."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongkai.disclosures import catalog_actions
from gongkai.org.models import Unit


class Command(BaseCommand):
    help = (
        "Create the missing schedule entries of a year from the active catalog items, for the whole group or "
        "a unit's subtree. Idempotent: entries that exist are kept; unassigned ones get the role holder "
        "appointed since."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="the year (default: this year)")
        parser.add_argument("--unit", metavar="CODE", help="only this unit and its sub-units")

    def handle(self, *args, year=None, unit=None, **options):
        year = year or timezone.localdate().year
        target = None
        if unit:
            target = Unit.objects.filter(code=unit).first()
            if target is None:
                raise CommandError(f"no unit with code {unit}")
        started = time.perf_counter()
        try:
            created = catalog_actions.generate_schedule(None, target, year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        elapsed = time.perf_counter() - started
        where = f"{target.name} ({target.code})" if target else "the whole group"
        self.stdout.write(
            self.style.SUCCESS(
                f"{created:,} schedule entries created for {year}, {where}, in {elapsed:.1f} s"
            )
        )
