import time

from django.core.management.base import BaseCommand, CommandError

from gongkai.core import demo as demo_hooks
from gongkai.org import demo


class Command(BaseCommand):
    help = (
        "Load the demo group into an empty database: --scale small (300 people, for tests), group (the seed "
        "document's group: 30 base units, 21,000 people, 1,874 representatives) or large (200,000 people). "
        "Deterministic for a given --seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(demo.SCALES), default="group")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the database already has units or people",
        )

    def handle(self, *args, scale: str, seed: int, if_empty: bool, **options):
        if demo.has_data():
            if if_empty:
                self.stdout.write("The database already has data; the demo group was not loaded.")
                return
            raise CommandError(
                "The database already has units or people. The demo group is only loaded into "
                "an empty database: use a fresh one (or --if-empty to skip quietly)."
            )
        started = time.perf_counter()
        try:
            counts = demo.seed(scale, seed)
            counts.update(demo_hooks.run_all(scale, seed))
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo group loaded (scale {scale}, seed {seed}) in {elapsed:.1f} s: {summary}."
            )
        )
