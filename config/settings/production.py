"""Settings for a served installation behind HTTPS: keys from the key file, secure cookies.

Behind a TLS-terminating reverse proxy (nginx and the like), set in the environment:

- ``DANGJIAN_BEHIND_PROXY=1``: trust the proxy's ``X-Forwarded-Proto: https`` (so Django knows the
  request was secure: secure cookies, CSRF's referer check) and take the client address for the audit
  log from ``X-Forwarded-For`` — the right-most entry, the one the proxy itself added. Set it only
  when the proxy overwrites or appends these headers and the application port is reachable from the
  proxy alone; otherwise any client could forge them.
- ``DANGJIAN_CSRF_TRUSTED_ORIGINS``: the public origins, comma-separated, with scheme
  (``https://dangjian.example.gov.cn,https://10.1.2.3``), needed for form posts when the proxy's
  public name differs from the host the application sees.
"""

import os

from config.keys import load_keys
from config.settings.base import *  # noqa: F403

_keys = load_keys()
SECRET_KEY = _keys["secret_key"]
DANGJIAN_DATA_KEY = _keys["data_key"]
DANGJIAN_HASH_KEY = _keys["hash_key"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

DANGJIAN_BEHIND_PROXY = os.environ.get("DANGJIAN_BEHIND_PROXY", "") == "1"
if DANGJIAN_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DANGJIAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
