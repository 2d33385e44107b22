"""`gongkai end-voting [--enqueue]`: end the vote of rounds past their close and mix the ballot boxes.

Run it every few minutes from cron (django-tasks has no clock); safe to run at any time and more than once.
"""

from django.core.management.base import BaseCommand

from gongkai.ratings import ballot_tasks


class Command(BaseCommand):
    help = (
        "End the vote of every open rating round whose voting window has closed (mixing its ballots and "
        "certifying it when nobody voted on paper), mix the waiting ballots of open rounds once "
        "GONGKAI_BALLOT_MIX_MIN wait, and reclaim the ballot box. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the job for the background worker instead of running it",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = ballot_tasks.end_voting_task.enqueue()
            self.stdout.write(f"queued for the worker: {result.id}")
            return
        run = ballot_tasks.run_end_voting()
        self.stdout.write(self.style.SUCCESS(run.summary()))
