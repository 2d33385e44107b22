"""Write the OpenAPI document of the JSON API (committed as docs/openapi.json and diffed by a test)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


def openapi_text() -> str:
    api = import_string(settings.GONGKAI_API)
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the API's OpenAPI document (default: docs/openapi.json)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.PROJECT_DIR / "docs" / "openapi.json"))

    def handle(self, *args, output, **options):
        Path(output).write_text(openapi_text(), encoding="utf-8")
        self.stdout.write(f"wrote {output}")
