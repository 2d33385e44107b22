"""`gongkai import-units FILE --as EMPLOYEE_NO [--dry-run]`: units from the HR system, all or nothing."""

from django.core.management.base import BaseCommand

from gongkai.org import importing

from .import_people import run_import


class Command(BaseCommand):
    help = (
        "Import units from the HR system's .xlsx or .csv file (code, name, kind, parent code or path). "
        "Every row is validated; if any row fails, nothing is written. Existing units are updated by code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file (row 1: column names)")
        parser.add_argument(
            "--as",
            dest="as_employee_no",
            metavar="EMPLOYEE_NO",
            help="employee number of the acting administrator (default: the first superuser)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and show the counts; write nothing"
        )

    def handle(self, *args, **options):
        run_import(self, importing.UNITS, options)
