"""Simplified Chinese by default; Traditional Chinese and English on choice, remembered in a cookie."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation


def test_default_language_is_simplified_chinese(client, db):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in body
    with translation.override("zh-hans"):
        assert translation.gettext("Log in") in body


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_each_language_renders_its_own_words(client, alice, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert f'<html lang="{language}">' in body
    with translation.override(language):
        assert translation.gettext("My unit") in body
        assert translation.gettext("Log out") in body


def test_chinese_pages_differ_from_english(client, alice):
    with translation.override("zh-hans"):
        hans = translation.gettext("My unit")
    with translation.override("zh-hant"):
        hant = translation.gettext("My unit")
    assert hans != "My unit" and hant != "My unit"


def test_switching_language_sets_the_cookie(client, alice):
    client.force_login(alice)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()
