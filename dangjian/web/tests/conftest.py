import pytest
from django.test import Client

from dangjian.common.tests.helpers import FAST_HASHERS


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # argon2 is the production hasher (base settings); the tests create many users, so they use a fast one.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def as_role(tree):
    """A logged-in client for one of the tree's users: ``as_role("township_organizer")``."""

    def make(role: str) -> Client:
        c = Client()
        c.force_login(tree.users[role])
        return c

    return make
