"""Behind a TLS-terminating proxy: the audit IP is the address the proxy added (right-most
X-Forwarded-For entry), and only when the installation says a trusted proxy is in front."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from config.keys import generate_keys, write_key_file
from dangjian.common.middleware import client_ip

ROOT = Path(__file__).resolve().parents[3]


def request(forwarded: str | None = None):
    extra = {"REMOTE_ADDR": "10.0.0.5"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_trusted_proxy_forwarded_for_is_ignored(settings):
    settings.DANGJIAN_BEHIND_PROXY = False
    assert client_ip(request("203.0.113.9")) == "10.0.0.5"


def test_behind_the_proxy_the_rightmost_entry_is_used(settings):
    settings.DANGJIAN_BEHIND_PROXY = True
    # The client forged the first entry; the proxy appended the real address.
    assert client_ip(request("1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request("203.0.113.9")) == "203.0.113.9"
    assert client_ip(request()) == "10.0.0.5"
    assert client_ip(request("not-an-address")) == "10.0.0.5"


@pytest.mark.django_db
def test_audit_event_records_the_proxied_address(tree, client, settings):
    from django.urls import reverse

    from dangjian.common.models import AuditEvent
    from dangjian.testing import PASSWORD

    settings.DANGJIAN_BEHIND_PROXY = True
    client.post(reverse("web:login"), {"username": "county", "password": PASSWORD},
                HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.5")
    assert AuditEvent.objects.filter(action="login.ok").latest("id").ip == "198.51.100.7"


def test_production_settings_read_the_proxy_environment(tmp_path):
    keys = tmp_path / "keys.json"
    write_key_file(keys, generate_keys())
    code = (
        "import json, config.settings.production as p; "
        "print(json.dumps([p.DANGJIAN_BEHIND_PROXY, getattr(p, 'SECURE_PROXY_SSL_HEADER', None), p.CSRF_TRUSTED_ORIGINS]))"
    )
    env = {**os.environ, "DANGJIAN_KEY_FILE": str(keys)}
    env.pop("DANGJIAN_BEHIND_PROXY", None)
    env.pop("DANGJIAN_CSRF_TRUSTED_ORIGINS", None)
    plain = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert json.loads(plain.stdout) == [False, None, []]
    env.update(DANGJIAN_BEHIND_PROXY="1", DANGJIAN_CSRF_TRUSTED_ORIGINS="https://dj.example.gov.cn, https://10.1.2.3")
    proxied = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert json.loads(proxied.stdout) == [
        True, ["HTTP_X_FORWARDED_PROTO", "https"], ["https://dj.example.gov.cn", "https://10.1.2.3"],
    ]
