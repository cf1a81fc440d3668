"""Settings for ./run on one machine: keys from the local key file."""

import os

from config.keys import KEY_FILE, generate_keys, load_keys
from config.settings.base import *  # noqa: F403

if os.environ.get("DANGJIAN_INIT_KEYS") and not KEY_FILE.exists():
    # Only `dangjian init_keys` runs without the file, to create it; these keys are thrown away.
    _keys = generate_keys()
else:
    _keys = load_keys()
SECRET_KEY = _keys["secret_key"]
DANGJIAN_DATA_KEY = _keys["data_key"]
DANGJIAN_HASH_KEY = _keys["hash_key"]
DEBUG = False
