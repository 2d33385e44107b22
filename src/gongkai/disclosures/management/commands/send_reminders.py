"""`gongkai send-reminders [--today YYYY-MM-DD] [--enqueue]`: reminders and escalations, e.g. daily from cron."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongkai.disclosures import reminders, tasks


class Command(BaseCommand):
    help = (
        "Remind responsible people of the disclosures due within GONGKAI_REMINDER_DAYS days and escalate the "
        "overdue ones to the leading groups (in-app notifications; email when EMAIL_HOST is set). Safe to run "
        "more than once a day: nothing is sent twice."
    )

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
            result = tasks.send_reminders.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"queued for the worker: {result.id}")
            return
        counts = reminders.send_reminders(day)
        self.stdout.write(
            self.style.SUCCESS("{reminded} reminders and {escalated} escalations sent".format(**counts))
        )
