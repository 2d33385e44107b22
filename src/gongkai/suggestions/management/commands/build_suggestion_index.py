"""`gongkai build-suggestion-index`: rebuild the similarity index of the submitted suggestions now."""

import time

from django.core.management.base import BaseCommand

from gongkai.suggestions import similarity


class Command(BaseCommand):
    help = (
        "Rebuild the near-duplicate index of every submitted suggestion (TF-IDF of the jieba words) and save it "
        "under GONGKAI_VAR_DIR/index/. The worker does this after submissions; run it after a bulk import."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        index = similarity.build_index()
        size = similarity.index_path().stat().st_size
        self.stdout.write(
            f"{index.size} suggestions indexed ({len(index.vectorizer.vocabulary_)} terms, "
            f"{size / 1_048_576:.1f} MB) in {time.perf_counter() - started:.1f} s: {similarity.index_path()}"
        )
