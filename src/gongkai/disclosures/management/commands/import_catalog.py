"""`gongkai import-catalog FILE [--as EMPLOYEE_NO] [--dry-run]`: import the catalog from an .xlsx workbook."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongkai.core.access import AccessDenied
from gongkai.disclosures import catalog, catalog_actions
from gongkai.org.importing import ImportFileError
from gongkai.org.management.commands.import_people import resolve_actor


class Command(BaseCommand):
    help = (
        "Import the disclosure catalog from an .xlsx workbook (the format of export-catalog). Every row is "
        "validated; if any row fails, nothing is written. Items are added or updated by code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx (or .csv) file, row 1: column names")
        parser.add_argument(
            "--as",
            dest="as_employee_no",
            metavar="EMPLOYEE_NO",
            help="employee number of the acting group administrator (default: the first superuser)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and show the counts; write nothing"
        )

    def handle(self, *args, file: str, as_employee_no=None, dry_run=False, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        actor = resolve_actor(as_employee_no)
        try:
            plan = catalog.build_import_plan(data, path.name)
        except ImportFileError as exc:
            raise CommandError(f"{path.name}: {exc.message} Nothing was imported.") from exc
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(plan.errors)} error(s) in {path.name}; nothing was imported.")
        summary = "added {added}, changed {changed}, unchanged {unchanged}".format(**plan.counts)
        if dry_run:
            self.stdout.write(f"dry run, nothing written: would have {summary}")
            return
        if not plan.has_changes:
            self.stdout.write(f"nothing to import: {summary}")
            return
        try:
            catalog_actions.apply_catalog_import(actor=actor, plan=plan)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except AccessDenied as exc:
            raise CommandError(f"{actor.employee_no} is not an administrator of the group") from exc
        self.stdout.write(self.style.SUCCESS(f"imported {path.name} as {actor.employee_no}: {summary}"))
