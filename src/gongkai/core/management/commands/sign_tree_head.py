from django.core.management.base import BaseCommand

from gongkai.core import tlog


class Command(BaseCommand):
    help = "Sign a tree head for the transparency log as it is now (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        head = tlog.sign_tree_head()
        self.stdout.write(
            self.style.SUCCESS(
                f"signed tree head: {head.tree_size} leaves, root {tlog.b64(head.root_hash)}, "
                f"timestamp {head.timestamp}, key {head.key_id}"
            )
        )
