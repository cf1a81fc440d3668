"""One demo county for the whole module: loading it takes seconds, so it is loaded once, inside a
transaction that is rolled back when the module is done, so no other test sees it. The tests are
marked ``django_db`` as usual (that is what makes pytest-django create the test database); each runs
in a savepoint inside that transaction, so what one test writes the next does not see."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from dangjian.common.tests.helpers import FAST_HASHERS

DEMO_MEMBERS = 600
DEMO_SEED = 7


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    out = io.StringIO()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        call_command("demo", members=DEMO_MEMBERS, seed=DEMO_SEED, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
