"""Who may call the API: bearer tokens, login sessions with CSRF, and nobody else."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dangjian.accounts.services import token_hash
from dangjian.api.auth import CSRF_FAILED, UNAUTHENTICATED
from dangjian.api.tests.conftest import CSRF, session_caller, token_caller
from dangjian.common.models import AuditEvent


@pytest.mark.django_db
def test_anonymous_gets_401_in_chinese(tree):
    client = Client()
    for method, url in [("get", "/api/me"), ("get", f"/api/orgs/{tree.town_a.pk}"), ("post", "/api/orgs"),
                        ("get", "/api/openapi.json"), ("get", "/api/docs")]:
        resp = getattr(client, method)(url)
        assert resp.status_code == 401, url
        assert resp.json()["detail"] == UNAUTHENTICATED
        assert resp["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_token_auth(tree):
    caller = token_caller(tree.users["township_organizer"])
    resp = caller.get("/api/me")
    assert resp.status_code == 200
    assert resp.json()["username"] == "town_a"


@pytest.mark.django_db
def test_wrong_or_replaced_token_is_refused(tree):
    user = tree.users["township_organizer"]
    old = token_caller(user)
    new = token_caller(user)  # issuing again replaces the old token
    assert old.get("/api/me").status_code == 401
    assert new.get("/api/me").status_code == 200
    client = Client()
    assert client.get("/api/me", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Bearer "}).status_code == 401


@pytest.mark.django_db
def test_token_of_inactive_user_is_refused(tree):
    user = tree.users["township_organizer"]
    caller = token_caller(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert caller.get("/api/me").status_code == 401


@pytest.mark.django_db
def test_session_auth_reads_and_writes_with_csrf(tree):
    caller = session_caller(tree.users["county_admin"])
    assert caller.get("/api/me").json()["role"] == "county_admin"
    resp = caller.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "phone"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["value"] == "13800000001"


@pytest.mark.django_db
def test_session_write_without_csrf_token_is_refused_and_writes_nothing(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.users["county_admin"])
    before = AuditEvent.objects.count()
    resp = client.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "phone"}, content_type="application/json")
    assert resp.status_code == 403
    assert resp.json()["detail"] == CSRF_FAILED
    client.cookies["csrftoken"] = CSRF
    resp = client.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "phone"}, content_type="application/json",
                       headers={"X-CSRFToken": "b" * 32})
    assert resp.status_code == 403
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_token_writes_need_no_csrf(tree):
    client = Client(enforce_csrf_checks=True)
    token = token_caller(tree.users["county_admin"]).headers
    resp = client.post(f"/api/members/{tree.member_a1.pk}/reveal", {"field": "phone"}, content_type="application/json",
                       headers=token)
    assert resp.status_code == 200


@pytest.mark.django_db
def test_inactive_session_user_is_refused(tree):
    user = tree.users["county_admin"]
    client = Client()
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/me").status_code == 401


@pytest.mark.django_db
def test_issue_token_command_prints_a_working_token_once_and_audits(tree):
    out, err = io.StringIO(), io.StringIO()
    before = AuditEvent.objects.filter(action="user.api_token").count()
    call_command("issue_token", "town_a", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token)
    user = tree.users["township_organizer"]
    user.refresh_from_db()
    assert user.api_token_hash == token_hash(token)
    assert token not in user.api_token_hash
    assert AuditEvent.objects.filter(action="user.api_token").count() == before + 1
    ev = AuditEvent.objects.filter(action="user.api_token").first()
    assert ev is not None and ev.target_id == str(user.pk) and token not in str(ev.changes)
    assert "只显示这一次" in err.getvalue()
    resp = Client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.json()["username"] == "town_a"


@pytest.mark.django_db
def test_issue_token_command_refuses_unknown_and_inactive_users(tree):
    with pytest.raises(CommandError, match="不存在"):
        call_command("issue_token", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    user = tree.users["inspector"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="已停用"):
        call_command("issue_token", "inspector_a", stdout=io.StringIO(), stderr=io.StringIO())
    user.refresh_from_db()
    assert user.api_token_hash == ""


@pytest.mark.django_db
def test_openapi_json_is_served_to_signed_in_users(tree):
    caller = token_caller(tree.users["inspector"])
    resp = caller.get("/api/openapi.json")
    assert resp.status_code == 200
    schema = resp.json()
    paths = schema["paths"]
    for p in ["/api/me", "/api/orgs", "/api/orgs/{org_id}", "/api/orgs/{org_id}/members", "/api/members",
              "/api/members/{member_id}/reveal", "/api/members/{member_id}/events", "/api/orgs/{org_id}/move"]:
        assert p in paths, p
    assert "patch" in paths["/api/orgs/{org_id}"] and "patch" in paths["/api/members/{member_id}"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    # Chinese descriptions reach the schema.
    assert "公民身份号码" in json.dumps(schema, ensure_ascii=False)


@pytest.mark.django_db
def test_docs_page_loads_nothing_from_the_internet(tree):
    caller = session_caller(tree.users["county_admin"])
    resp = caller.get("/api/docs")
    assert resp.status_code == 200
    html = resp.content.decode()
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs, html
    for src in srcs:
        assert src.startswith("/"), src
        asset = Client().get(src)
        assert asset.status_code == 200, src
        b"".join(asset.streaming_content)
    assert "http://" not in html and "https://" not in html
    assert '"validatorUrl": null' in html  # Swagger UI's validator badge would fetch an external image
    assert Client().get("/api/docs/assets/../../settings.py").status_code == 404
    assert Client().get("/api/docs/assets/redoc.standalone.js.map").status_code == 404
