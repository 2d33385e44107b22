"""The `gongkai` command: Django's management commands under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # Allow the dashed spelling of our own commands: `gongkai verify-ledger`.
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "gongkai"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
