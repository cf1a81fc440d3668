"""Settings shared by every environment. Secrets come from the key file (config/keys.py) or the
environment, never from code."""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

from config.keys import BASE_DIR, DATA_DIR

DEBUG = False
ALLOWED_HOSTS = os.environ.get("DANGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "dangjian.common",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.dues",
    "dangjian.orglife",
    "dangjian.ledgers",
    "dangjian.recruitment",
    "dangjian.supervision",
    "dangjian.assessment",
    "dangjian.points",
    "dangjian.rectification",
    "dangjian.web",
    "dangjian.api",
    "dangjian.demo",
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
    "dangjian.common.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.web.context.navigation",
            ],
        },
    }
]


def database_from_url(url: str | None) -> dict:
    """``postgres://user:pass@host:port/name`` or nothing for the embedded SQLite file."""
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "dangjian.sqlite3",
            # WAL lets the web server read while the worker writes; IMMEDIATE avoids lock upgrades
            # failing half-way through a write transaction.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL 只支持 postgres:// (unsupported scheme {u.scheme!r})")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")) or "dangjian",
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "127.0.0.1",
        "PORT": str(u.port or 5432),
        "CONN_MAX_AGE": 60,
    }


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dangjian.accounts.backends.LockoutBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

# Sessions end after two idle hours and when the browser closes: shared office computers are common.
SESSION_COOKIE_AGE = 2 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Login lockout: after this many failures in the window the account (or unknown user name) is locked.
DANGJIAN_LOCKOUT_FAILURES = int(os.environ.get("DANGJIAN_LOCKOUT_FAILURES", "5"))
DANGJIAN_LOCKOUT_MINUTES = int(os.environ.get("DANGJIAN_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_ROOT = DATA_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Full ID numbers never reach a log: an ID-number search is a GET, and django.server prints the
# request line, django.request the path (dangjian.common.logging). The filter sits on those two
# loggers (their records are logged there directly) and on the console handler for anything else.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_id_numbers": {"()": "dangjian.common.logging.MaskIdNumbersFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_id_numbers"]},
        "django.server": {
            "level": "INFO", "class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_id_numbers"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False, "filters": ["mask_id_numbers"]},
        "django.request": {"filters": ["mask_id_numbers"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
PAGE_SIZE = 50

