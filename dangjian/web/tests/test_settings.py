import pytest

from dangjian.common import settings_registry
from dangjian.common.models import AuditEvent, PlatformSetting
from dangjian.common.services import SETTING_RANGE


@pytest.fixture
def param():
    p = settings_registry.register("test.alarm_months", 3, "测试提醒月数", minimum=1, maximum=6)
    yield p
    settings_registry.REGISTRY.pop(p.key)


def test_county_admin_changes_a_parameter_and_it_is_audited(client, tree, param):
    client.force_login(tree.users["county_admin"])
    assert "测试提醒月数" in client.get("/settings/").content.decode()
    before = AuditEvent.objects.count()
    resp = client.post("/settings/", {"key": param.key, "value": "4"})
    assert resp.status_code == 302
    assert settings_registry.get(param.key) == 4
    ev = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert ev.action == "setting.update" and ev.changes == {param.key: [3, 4]}


def test_out_of_range_value_is_refused_with_nothing_written(client, tree, param):
    client.force_login(tree.users["county_admin"])
    resp = client.post("/settings/", {"key": param.key, "value": "9"})
    assert resp.status_code == 400
    assert SETTING_RANGE.format(label=param.label, minimum=1, maximum=6) in resp.content.decode()
    assert not PlatformSetting.objects.filter(key=param.key).exists()


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector", "member"])
def test_only_county_admins_find_the_page(client, tree, param, role):
    client.force_login(tree.users[role])
    assert client.get("/settings/").status_code == 404
    assert client.post("/settings/", {"key": param.key, "value": "4"}).status_code == 404
    assert settings_registry.get(param.key) == 3
