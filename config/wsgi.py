import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()

# Refuse to serve with a key file that does not belong to this database (a loud, Chinese error in the
# server log instead of undecryptable ID numbers on the pages).
from dangjian.common.crypto import check_key_matches_database  # noqa: E402

check_key_matches_database()
