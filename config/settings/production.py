"""Settings for a served installation behind HTTPS: keys from the key file, secure cookies."""

from config.keys import load_keys
from config.settings.base import *  # noqa: F403

_keys = load_keys()
SECRET_KEY = _keys["secret_key"]
DANGJIAN_DATA_KEY = _keys["data_key"]
DANGJIAN_HASH_KEY = _keys["hash_key"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
