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
from dangjian.accounts.models import LoginFailure
from dangjian.common.audit import audit_record


def is_locked(username: str, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.DANGJIAN_LOCKOUT_MINUTES)
    times = list(LoginFailure.objects.filter(username=username.lower(), at__gte=since).values_list("at", flat=True))
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
        user = super().authenticate(request, username=username, password=password, **kwargs)
        ip = request.META.get("REMOTE_ADDR") if request else None
        with transaction.atomic():
            if user is None:
                LoginFailure.objects.create(username=username.lower(), ip=ip)
                audit_record(actor=None, action="login.failed", reason=f"用户名 {username[:50]}")
            else:
                LoginFailure.objects.filter(username=username.lower()).delete()
                audit_record(actor=user, action="login.ok")
        return user
