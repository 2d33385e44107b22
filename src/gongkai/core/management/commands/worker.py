"""`gongkai worker`: the background worker (django-tasks' database backend)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the background worker that executes queued tasks (reminders, imports, reports)."
