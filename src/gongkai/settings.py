"""Gongkai settings, all read from environment variables (see the README's settings table)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GONGKAI_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or os.environ.get("GONGKAI_INSECURE_DEV_KEY", "1") == "1":
        # Development and tests only: production deployments must set SECRET_KEY.
        SECRET_KEY = "gongkai-insecure-development-key-change-me"  # noqa: S105
    else:
        raise RuntimeError("SECRET_KEY must be set")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "gongkai.core",
    "gongkai.org",
    "gongkai.disclosures",
    "gongkai.cases",
    "gongkai.ratings",
    "gongkai.suggestions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongkai.org.context_processors.navigation",
                "gongkai.disclosures.context_processors.navigation",
                "gongkai.cases.context_processors.navigation",
                "gongkai.ratings.context_processors.navigation",
                "gongkai.suggestions.context_processors.navigation",
                "gongkai.core.context_processors.inbox",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'gongkai.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it; `gongkai collectstatic` fills it
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: imports larger than this are refused before they are read.
GONGKAI_MAX_UPLOAD_MB = int(os.environ.get("GONGKAI_MAX_UPLOAD_MB", "20"))
# The transparency log's Ed25519 signing key (PEM, created with mode 0600 on first use). Keep it outside the
# database and back it up: whoever holds it can sign tree heads.
GONGKAI_LOG_KEY_FILE = Path(os.environ.get("GONGKAI_LOG_KEY_FILE", VAR_DIR / "keys" / "log-ed25519.pem"))
# The log signs a tree head on demand (a reader's badge needs one that covers a new leaf) at most once per this
# many seconds; the daily `gongkai sign-tree-head` always signs.
GONGKAI_LOG_SIGN_INTERVAL = float(os.environ.get("GONGKAI_LOG_SIGN_INTERVAL", "10"))
# Reminders: how many days before a due date the responsible person is reminded.
GONGKAI_REMINDER_DAYS = int(os.environ.get("GONGKAI_REMINDER_DAYS", "3"))
# Topic requests (点题公开): how many days a unit has to answer.
GONGKAI_TOPIC_ANSWER_DAYS = int(os.environ.get("GONGKAI_TOPIC_ANSWER_DAYS", "15"))
# Cases: how many working days (Chinese public holidays excluded) a handling department has to reply.
GONGKAI_CASE_REPLY_WORKING_DAYS = int(os.environ.get("GONGKAI_CASE_REPLY_WORKING_DAYS", "30"))
# Anonymous receipts: wrong receipts allowed per client within the window (seconds) before lookups are refused.
GONGKAI_RECEIPT_ATTEMPTS = int(os.environ.get("GONGKAI_RECEIPT_ATTEMPTS", "5"))
GONGKAI_RECEIPT_WINDOW = int(os.environ.get("GONGKAI_RECEIPT_WINDOW", "600"))
# ballots wait in the ballot box until at least this many can be mixed together (all of them when voting ends)
# SQLite cannot make NULLs equal in a unique constraint (a liaison or paper batch of a whole appraisal round has no
# constituency); the actions check those duplicates themselves, and PostgreSQL enforces the constraint too
SILENCED_SYSTEM_CHECKS = ["models.W047"]
GONGKAI_BALLOT_MIX_MIN = int(os.environ.get("GONGKAI_BALLOT_MIX_MIN", "25"))
# a TTF/TTC font with Chinese glyphs for printed PDFs (ballot sheets); empty: fonts-wqy-microhei if installed,
# else the viewer's own Song font (reportlab's STSong-Light, not embedded)
GONGKAI_PDF_FONT = os.environ.get("GONGKAI_PDF_FONT", "")
# months to the first answer to a suggestion (screening refusal or the panel's conclusion); major suggestions
GONGKAI_SUGGESTION_ANSWER_MONTHS = int(os.environ.get("GONGKAI_SUGGESTION_ANSWER_MONTHS", "2"))
GONGKAI_SUGGESTION_MAJOR_ANSWER_MONTHS = int(os.environ.get("GONGKAI_SUGGESTION_MAJOR_ANSWER_MONTHS", "3"))
# similar-suggestion lookups a person may make per minute while typing (the counter lives in the cache)
GONGKAI_SIMILAR_PER_MINUTE = int(os.environ.get("GONGKAI_SIMILAR_PER_MINUTE", "60"))
DATA_UPLOAD_MAX_MEMORY_SIZE = GONGKAI_MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GONGKAI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Notifications are emailed (besides the in-app inbox) only when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
# The site's address, for links in emailed notifications (e.g. https://gongkai.example.com).
GONGKAI_SITE_URL = os.environ.get("GONGKAI_SITE_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongkai@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The django-ninja API object whose OpenAPI document `gongkai export-openapi` writes.
GONGKAI_API = "gongkai.api.api"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
