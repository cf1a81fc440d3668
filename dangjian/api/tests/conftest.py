"""API test helpers: callers with a bearer token or a login session, and row counts for
"nothing written" checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from dangjian.accounts.models import User
from dangjian.accounts.services import user_issue_api_token
from dangjian.common.models import AuditEvent
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs.models import Org, OrgEvent
from dangjian.testing import Tree

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CSRF = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"  # a 32-character CSRF secret, set as cookie and header


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@dataclass
class Caller:
    """One API user. ``token`` mode sends ``Authorization: Bearer``; ``session`` mode logs in and sends
    the CSRF token on writes, as a browser page would."""

    client: Client
    headers: dict[str, str]

    def get(self, url: str, params: dict[str, Any] | None = None):
        return self.client.get(url, params or {}, headers=self.headers)

    def post(self, url: str, body: Any = None):
        return self.client.post(url, json.dumps(body or {}), content_type="application/json", headers=self.headers)

    def patch(self, url: str, body: Any = None):
        return self.client.patch(url, json.dumps(body or {}), content_type="application/json", headers=self.headers)

    def call(self, method: str, url: str, body: Any = None):
        if method == "GET":
            return self.get(url)
        return getattr(self, method.lower())(url, body)


def token_caller(user: User) -> Caller:
    token = user_issue_api_token(actor=None, user=user)
    return Caller(Client(), {"Authorization": f"Bearer {token}"})


def session_caller(user: User) -> Caller:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    return Caller(client, {"X-CSRFToken": CSRF})


@pytest.fixture(params=["token", "session"])
def auth_mode(request) -> str:
    return request.param


@pytest.fixture
def as_role(tree: Tree, auth_mode: str):
    """``as_role("township_organizer")`` → a Caller for that demo user, in each auth mode."""

    def make(role: str) -> Caller:
        user = tree.users[role]
        return token_caller(user) if auth_mode == "token" else session_caller(user)

    return make


@pytest.fixture
def api_as(tree: Tree):
    """Token callers only (where the auth mode does not matter)."""

    def make(role: str) -> Caller:
        return token_caller(tree.users[role])

    return make


def row_counts() -> dict[str, int]:
    return {
        "Member": Member.objects.count(),
        "MembershipEvent": MembershipEvent.objects.count(),
        "Org": Org.objects.count(),
        "OrgEvent": OrgEvent.objects.count(),
        "AuditEvent": AuditEvent.objects.count(),
    }
