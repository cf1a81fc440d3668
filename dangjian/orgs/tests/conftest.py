import pytest

from dangjian.common.tests.helpers import FAST_HASHERS


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # argon2 is the production hasher (base settings); the tests create many users, so they use a fast one.
    settings.PASSWORD_HASHERS = FAST_HASHERS
