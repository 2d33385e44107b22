from django.core.management.base import BaseCommand, CommandError

from gongkai.core import tlog


class Command(BaseCommand):
    help = (
        "Recompute the transparency log: every leaf from its published object, every subtree hash, every signed "
        "tree head's root and signature, and the consistency of consecutive heads. Names the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=tlog.BATCH, help="leaves read per query")
        parser.add_argument("--max-problems", type=int, default=100, help="stop after this many problems")

    def handle(self, *args, **options):
        result = tlog.verify_all(batch=options["batch"], max_problems=options["max_problems"])
        if not result.ok:
            for problem in result.problems[1:]:
                self.stderr.write(problem)
            raise CommandError(
                f"{result} ({len(result.problems)} problem(s); {result.leaves} leaves and "
                f"{result.tree_heads} tree heads read)"
            )
        self.stdout.write(self.style.SUCCESS(str(result)))
