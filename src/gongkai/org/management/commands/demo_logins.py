from django.core.management.base import BaseCommand

from gongkai.core import demo as demo_hooks
from gongkai.core.choices import Role
from gongkai.org import demo


class Command(BaseCommand):
    help = "Print one demo login per role (employee number, name, unit) and the shared demo password."

    def handle(self, *args, **options):
        logins = demo.demo_logins()
        if not logins:
            self.stdout.write("No demo group in this database (run `gongkai seed-demo`).")
            return
        rows = [("role", "login", "name", "unit")]
        rows += [(f"{Role(role).label} ({role})", no, name, unit) for role, no, name, unit in logins]
        widths = [max(_width(r[i]) for r in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(f"Password for every demo account: {demo.PASSWORD}")
        for line in demo_hooks.login_notes():
            self.stdout.write(line)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
