"""The ``dangjian`` command: Django's management commands with the local settings by default."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if sys.argv[1:2] == ["init_keys"]:
        # The key file may not exist yet; settings.local must not demand it for this one command.
        os.environ["DANGJIAN_INIT_KEYS"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
