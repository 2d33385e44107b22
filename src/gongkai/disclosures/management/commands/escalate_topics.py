"""`gongkai escalate-topics [--today YYYY-MM-DD] [--enqueue]`: escalate overdue topic requests, e.g. daily from cron."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongkai.disclosures import topic_tasks


class Command(BaseCommand):
    help = (
        "Notify the leading group of the unit asked (or of its nearest ancestor that has one) of every topic "
        "request still unanswered after its deadline. Safe to run more than once a day: nothing is sent twice."
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
            result = topic_tasks.escalate_overdue_topics.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"queued for the worker: {result.id}")
            return
        sent = topic_tasks.escalate_overdue(day)
        self.stdout.write(self.style.SUCCESS(f"{sent} escalations of overdue topic requests sent"))
