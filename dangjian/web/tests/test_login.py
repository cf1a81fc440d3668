"""Login, lockout and logout through the pages."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dangjian.accounts import rules as account_rules
from dangjian.common.models import AuditEvent
from dangjian.testing import PASSWORD


def test_login_page_has_stable_ids(db):
    resp = Client().get(reverse("web:login"))
    assert resp.status_code == 200
    body = resp.content.decode()
    for testid in ("login-form", "login-username", "login-password", "login-submit"):
        assert f'data-testid="{testid}"' in body
    assert "csrfmiddlewaretoken" in body


def test_login_success_goes_home_and_starts_a_session(tree):
    c = Client()
    resp = c.post(reverse("web:login"), {"username": "town_a", "password": PASSWORD})
    assert resp.status_code == 302
    assert resp["Location"] == reverse("web:home")
    assert c.get(reverse("web:home")).status_code == 200
    assert AuditEvent.objects.filter(action="login.ok", actor=tree.users["township_organizer"]).exists()


def test_login_follows_a_local_next_but_never_an_external_one(tree):
    c = Client()
    target = reverse("web:org_detail", args=[tree.village_a1.pk])
    resp = c.post(reverse("web:login") + f"?next={target}", {"username": "town_a", "password": PASSWORD})
    assert resp["Location"] == target
    c2 = Client()
    resp = c2.post(reverse("web:login"), {"username": "town_a", "password": PASSWORD, "next": "https://evil.example/"})
    assert resp["Location"] == reverse("web:home")


def test_wrong_password_shows_the_chinese_message(tree):
    c = Client()
    resp = c.post(reverse("web:login"), {"username": "town_a", "password": "wrong-password"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert account_rules.BAD_CREDENTIALS in body
    assert 'data-testid="login-error"' in body
    assert "_auth_user_id" not in c.session


def test_lockout_shows_the_lockout_message_even_with_the_right_password(tree):
    c = Client()
    for _ in range(settings.DANGJIAN_LOCKOUT_FAILURES):
        c.post(reverse("web:login"), {"username": "town_a", "password": "wrong-password"})
    resp = c.post(reverse("web:login"), {"username": "town_a", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert account_rules.LOCKED.format(minutes=settings.DANGJIAN_LOCKOUT_MINUTES) in body
    assert 'data-testid="lockout-message"' in body
    assert "_auth_user_id" not in c.session


def test_anonymous_users_are_sent_to_login(tree):
    resp = Client().get(reverse("web:org_detail", args=[tree.village_a1.pk]))
    assert resp.status_code == 302
    assert resp["Location"].startswith(reverse("web:login"))


def test_logout_needs_a_post(tree, as_role):
    c = as_role("township_organizer")
    assert c.get(reverse("web:logout")).status_code == 405
    resp = c.post(reverse("web:logout"))
    assert resp.status_code == 302
    assert c.get(reverse("web:home")).status_code == 302


@pytest.mark.parametrize("url_name", ["web:login"])
def test_forms_carry_csrf_tokens(db, url_name):
    c = Client(enforce_csrf_checks=True)
    resp = c.post(reverse(url_name), {"username": "x", "password": "y"})
    assert resp.status_code == 403
