"""Simplified and Traditional Chinese are complete: every string of the code is translated in both."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.fixture(scope="module", params=["zh_Hans", "zh_Hant"])
def catalog(request):
    return request.param, polib.pofile(str(LOCALE / request.param / "LC_MESSAGES" / "django.po"))


def test_every_entry_is_translated(catalog):
    name, po = catalog
    missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == [], f"{name}: {len(missing)} untranslated, e.g. {missing[:5]}"


def test_placeholders_survive_translation(catalog):
    name, po = catalog
    for entry in po:
        if entry.obsolete:
            continue
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == expected, f"{name}: {entry.msgid!r} → {text!r}"


def test_traditional_catalog_is_not_simplified(catalog):
    name, po = catalog
    if name != "zh_Hant":
        pytest.skip("only the Traditional catalog")
    from gongkai.core.text import to_traditional

    texts = "".join(e.msgstr for e in po if e.msgstr)
    assert texts, "empty catalog"
    # converting to Traditional should change (almost) nothing in a Traditional catalog
    assert sum(a != b for a, b in zip(texts, to_traditional(texts), strict=False)) < len(texts) * 0.01


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is needed to extract strings"
)
def test_catalogs_cover_every_string_in_the_code(tmp_path):
    """Extract the strings of a copy of the code and compare with the committed catalogs."""
    copy = tmp_path / "gongkai"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "locale"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "gongkai.settings",
        "GONGKAI_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "-i",
            "browser_tests/*",
            "-i",
            "*/tests/*",
            "-i",
            "tests/*",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    for name in ("zh_Hans", "zh_Hant"):
        committed = {
            e.msgid for e in polib.pofile(str(LOCALE / name / "LC_MESSAGES" / "django.po")) if not e.obsolete
        }
        assert fresh - committed == set(), (
            f"{name} misses strings: run `gongkai makemessages -l zh_Hans -l zh_Hant -l en --no-location` "
            f"and translate: {sorted(fresh - committed)[:10]}"
        )
