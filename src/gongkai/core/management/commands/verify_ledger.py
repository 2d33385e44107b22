from django.core.management.base import BaseCommand, CommandError

from gongkai.core import ledger


class Command(BaseCommand):
    help = "Recompute the audit ledger's hash chain and name the first entry that does not match."

    def handle(self, *args, **options):
        result = ledger.verify()
        if not result.ok:
            raise CommandError(
                f"ledger broken at entry #{result.bad_seq}: {result.reason} "
                f"({result.checked} entries verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"ledger ok: {result.checked} entries verified"))
