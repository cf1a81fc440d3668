"""Settings for the test suite: throwaway keys made for this run, never stored."""

import os
import tempfile

from config.keys import generate_keys
from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

_keys = generate_keys()
SECRET_KEY = _keys["secret_key"]
DANGJIAN_DATA_KEY = _keys["data_key"]
DANGJIAN_HASH_KEY = _keys["hash_key"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file (not :memory:) so the live server used by the browser tests shares the database.
    DATABASES["default"]["NAME"] = os.path.join(tempfile.gettempdir(), "dangjian-test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), "dangjian-test.sqlite3")}

# Serve static files from the apps and static/ directly (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
