"""A base for the daily commands (`send-reminders`, `escalate-topics`): run as of --today, or --enqueue."""

import datetime as dt
from abc import ABCMeta, abstractmethod
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_tasks.base import Task


class DailyCommand(BaseCommand, metaclass=ABCMeta):
    """Runs a daily job as of --today (default: today), or queues `task` for the background worker.

    Subclasses set `task` (a task taking the day as an ISO date, or None for today) and implement `perform`.
    """

    task: Task[[str | None], Any]

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as of this date (YYYY-MM-DD), e.g. to catch up")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the job for the background worker instead of running it",
        )

    def handle(self, *args, today=None, enqueue=False, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be a date like 2026-03-31, not {today!r}") from exc
        if enqueue:
            result = self.task.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"queued for the worker: {result.id}")
            return
        self.stdout.write(self.style.SUCCESS(self.perform(day)))

    @abstractmethod
    def perform(self, day: dt.date | None) -> str:
        """Run the job as of `day` (None: today); returns the line to print."""
