"""Production security settings that the tests' fast hashing must not hide."""

from django.conf import settings as django_settings

from gongkai import settings as project_settings


def test_production_hasher_is_argon2():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_lockout_is_on():
    assert "axes" in django_settings.INSTALLED_APPS
    assert any("axes" in b for b in django_settings.AUTHENTICATION_BACKENDS)
