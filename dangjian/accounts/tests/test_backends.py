"""Login lockout through django.contrib.auth.authenticate, the way the login page calls it."""

import contextlib
import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone

from dangjian.accounts import rules
from dangjian.accounts.backends import LockoutBackend, is_locked
from dangjian.accounts.models import LoginFailure
from dangjian.common.models import AuditEvent
from dangjian.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.DANGJIAN_LOCKOUT_FAILURES = 5
    settings.DANGJIAN_LOCKOUT_MINUTES = 15


def request(ip="192.0.2.7"):
    return RequestFactory().post("/login/", REMOTE_ADDR=ip)


def fail(username, times):
    for _ in range(times):
        assert authenticate(request(), username=username, password="wrong-password") is None


def locked_message():
    return rules.LOCKED.format(minutes=15)


def test_right_password_logs_in_and_is_audited(tree):
    user = authenticate(request(), username="county", password=PASSWORD)
    assert user == tree.users["county_admin"]
    assert AuditEvent.objects.filter(action="login.ok", actor=user).count() == 1


def test_failures_are_recorded_with_address_and_audited(tree):
    fail("county", 1)
    f = LoginFailure.objects.get()
    assert (f.username, f.ip) == ("county", "192.0.2.7")
    assert AuditEvent.objects.filter(action="login.failed", actor=None).count() == 1


def test_n_minus_one_failures_still_allow_login_and_clear_the_count(tree):
    fail("county", 4)
    assert authenticate(request(), username="county", password=PASSWORD) == tree.users["county_admin"]
    assert not LoginFailure.objects.filter(username="county").exists()
    fail("county", 4)  # the count started again
    assert authenticate(request(), username="county", password=PASSWORD) is not None


def test_n_failures_lock_even_the_right_password(tree):
    fail("county", 5)
    assert is_locked("county")
    # authenticate() turns the backend's PermissionDenied into "no user"...
    assert authenticate(request(), username="county", password=PASSWORD) is None
    # ...while the backend itself says why, with the Chinese message the login page shows.
    with pytest.raises(PermissionDenied) as info:
        LockoutBackend().authenticate(request(), username="county", password=PASSWORD)
    assert str(info.value) == locked_message()
    # A locked attempt is not counted as a new failure, and logs nobody in.
    assert LoginFailure.objects.filter(username="county").count() == 5
    assert not AuditEvent.objects.filter(action="login.ok").exists()


def test_user_name_case_does_not_escape_the_lock(tree):
    fail("County", 3)
    fail("COUNTY", 2)
    assert is_locked("county")
    with pytest.raises(PermissionDenied):
        LockoutBackend().authenticate(request(), username="county", password=PASSWORD)


def test_unknown_user_names_lock_the_same_way(tree):
    fail("nobody", 4)
    assert not is_locked("nobody")
    fail("nobody", 1)
    with pytest.raises(PermissionDenied) as info:
        LockoutBackend().authenticate(request(), username="nobody", password="anything")
    assert str(info.value) == locked_message()


def test_locking_one_name_does_not_lock_another(tree):
    fail("county", 5)
    assert authenticate(request(), username="town_a", password=PASSWORD) == tree.users["township_organizer"]


def test_lock_expires_after_the_window(tree):
    fail("county", 5)
    now = timezone.now()
    assert is_locked("county", now=now)
    assert is_locked("county", now=now + dt.timedelta(minutes=14))
    assert not is_locked("county", now=now + dt.timedelta(minutes=16))
    # Shift the recorded failures 16 minutes into the past: the real login works again.
    for f in LoginFailure.objects.filter(username="county"):
        LoginFailure.objects.filter(pk=f.pk).update(at=f.at - dt.timedelta(minutes=16))
    assert authenticate(request(), username="county", password=PASSWORD) == tree.users["county_admin"]


def test_old_failures_do_not_add_up_with_new_ones(tree):
    fail("county", 4)
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=20))
    fail("county", 4)
    assert not is_locked("county")
    assert authenticate(request(), username="county", password=PASSWORD) is not None


def test_inactive_user_cannot_log_in(tree):
    user = tree.users["county_admin"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert authenticate(request(), username="county", password=PASSWORD) is None


def test_empty_user_name_is_not_a_login(tree):
    assert LockoutBackend().authenticate(request(), username="", password="x") is None
    assert not LoginFailure.objects.exists()


def test_parallel_wrong_passwords_check_at_most_the_limit(tree, monkeypatch):
    """30 attempts that all start before the first slow password check ends (as parallel requests
    do): each is recorded before its check, so only the first five passwords are ever checked."""
    from django.contrib.auth.backends import ModelBackend

    real = ModelBackend.authenticate
    checks = []

    def slow_check(self, request, username=None, password=None, **kw):
        checks.append(LoginFailure.objects.filter(username="county").count())
        if len(checks) == 1:  # while the first check runs, the other 29 requests arrive
            for _ in range(29):
                with contextlib.suppress(PermissionDenied):
                    LockoutBackend().authenticate(request, username="county", password="wrong-password")
        return real(self, request, username=username, password=password, **kw)

    monkeypatch.setattr(ModelBackend, "authenticate", slow_check)
    assert LockoutBackend().authenticate(request(), username="county", password="wrong-password") is None
    assert len(checks) == 5
    assert checks[0] == 1  # the attempt was on record while its own password was being checked
    assert LoginFailure.objects.filter(username="county").count() == 5
    assert is_locked("county")
