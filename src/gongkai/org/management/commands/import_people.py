"""`gongkai import-people FILE --as EMPLOYEE_NO [--full] [--dry-run]`: the HR import from the command line."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gongkai.core.access import AccessDenied
from gongkai.org import actions, importing
from gongkai.org.models import Person


def resolve_actor(employee_no: str | None) -> Person:
    """The acting admin: the person named by --as, or else the first superuser."""
    if employee_no:
        actor = Person.objects.filter(employee_no=employee_no, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active person with employee number {employee_no}")
        return actor
    actor = Person.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if actor is None:
        raise CommandError("no superuser exists: name the acting administrator with --as EMPLOYEE_NO")
    return actor


def run_import(command: BaseCommand, kind: str, options: dict) -> None:
    path = Path(options["file"])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    actor = resolve_actor(options.get("as_employee_no"))
    full = bool(options.get("full"))
    try:
        plan = importing.build_plan(kind, data, actor=actor, full=full, filename=path.name)
    except importing.ImportFileError as exc:
        raise CommandError(f"{path.name}: {exc.message} Nothing was imported.") from exc
    if plan.errors:
        for error in plan.errors:
            command.stderr.write(str(error))
        raise CommandError(f"{len(plan.errors)} error(s) in {path.name}; nothing was imported.")
    counts = plan.counts
    summary = f"added {counts['added']}, changed {counts['changed']}, unchanged {counts['unchanged']}"
    if kind == importing.PEOPLE:
        summary += f", deactivated {counts['deactivated']}"
    if options.get("dry_run"):
        verbosity = options.get("verbosity", 1)
        if verbosity >= 2:
            for entry in plan.added:
                command.stdout.write(f"+ {entry.key} {entry.name} ({entry.unit})")
            for entry in plan.changed:
                changes = "; ".join(
                    f"{label}: {before} -> {after}" for label, before, after in entry.change_rows
                )
                command.stdout.write(f"~ {entry.key} {entry.name}: {changes}")
            for entry in plan.deactivated:
                command.stdout.write(f"- {entry.key} {entry.name} ({entry.unit})")
        command.stdout.write(f"dry run, nothing written: would have {summary}")
        return
    if not plan.has_changes:
        command.stdout.write(f"nothing to import: {summary}")
        return
    try:
        if kind == importing.PEOPLE:
            actions.apply_people_import(actor=actor, plan=plan, full=full)
        else:
            actions.apply_units_import(actor=actor, plan=plan)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc
    except AccessDenied as exc:
        raise CommandError(f"{actor.employee_no} is not an administrator") from exc
    command.stdout.write(command.style.SUCCESS(f"imported {path.name} as {actor.employee_no}: {summary}"))


class Command(BaseCommand):
    help = (
        "Import people from the HR system's .xlsx or .csv file. Every row is validated; if any row fails, "
        "nothing is written. Existing people are updated by employee number."
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
            "--full",
            action="store_true",
            help="deactivate the active people of the actor's units who are missing from the file",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and show the counts; write nothing"
        )

    def handle(self, *args, **options):
        run_import(self, importing.PEOPLE, options)
