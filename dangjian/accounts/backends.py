"""Authentication with lockout: repeated failures for a user name lock it for a while, whether or
not the name exists, so the lockout does not reveal which names are real."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from dangjian.accounts import rules
from dangjian.accounts.models import LoginFailure, User
from dangjian.accounts.selectors import home_org
from dangjian.common.audit import audit_record
from dangjian.common.middleware import client_ip


def is_locked(username: str, now: dt.datetime | None = None, *, before_pk: int | None = None) -> bool:
    """``before_pk``: count only the attempts recorded before that one (the caller's own attempt)."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.DANGJIAN_LOCKOUT_MINUTES)
    failures = LoginFailure.objects.filter(username=username.lower(), at__gte=since)
    if before_pk is not None:
        failures = failures.filter(pk__lt=before_pk)
    times = list(failures.values_list("at", flat=True))
    return rules.is_locked(
        times, now=now, max_failures=settings.DANGJIAN_LOCKOUT_FAILURES, window_minutes=settings.DANGJIAN_LOCKOUT_MINUTES
    )


class LockoutBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if not username:
            return None
        if is_locked(username):
            # PermissionDenied stops Django trying other backends; the login view shows rules.LOCKED.
            raise PermissionDenied(rules.LOCKED.format(minutes=settings.DANGJIAN_LOCKOUT_MINUTES))
        ip = client_ip(request) if request else None
        # Record the attempt before the slow password check, so that parallel attempts each see the
        # ones started before them: at most DANGJIAN_LOCKOUT_FAILURES passwords are ever checked. The
        # row is removed again on success, or when this attempt turns out to be over the limit.
        attempt = LoginFailure.objects.create(username=username.lower(), ip=ip)
        if is_locked(username, before_pk=attempt.pk):
            LoginFailure.objects.filter(pk=attempt.pk).delete()
            raise PermissionDenied(rules.LOCKED.format(minutes=settings.DANGJIAN_LOCKOUT_MINUTES))
        user = super().authenticate(request, username=username, password=password, **kwargs)
        with transaction.atomic():
            if user is None:
                # Filed under the account's organization when the name is real; a failure for an
                # unknown name stays org-less and only county-wide administrators see it.
                known = User.objects.filter(username=username).first()
                audit_record(actor=None, action="login.failed", org=home_org(known), reason=f"用户名 {username[:50]}")
            else:
                LoginFailure.objects.filter(username=username.lower()).delete()
                audit_record(actor=user, action="login.ok", org=home_org(user))
        return user
