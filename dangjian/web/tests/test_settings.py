import datetime as dt

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


def test_county_admin_records_a_year_of_holidays_on_the_calendar_page(client, tree):
    from dangjian.common import workdays
    from dangjian.common.models import HolidaySchedule

    year = workdays.coverage()[1] + 1
    client.force_login(tree.users["county_admin"])
    assert 'data-testid="holidays-link"' in client.get("/settings/").content.decode()
    page = client.get("/settings/holidays/").content.decode()
    assert f"覆盖{workdays.coverage()[0]}年至{year - 1}年" in page and "尚未录入" in page
    bad = client.post("/settings/holidays/", {"year": year, "holidays": "元旦", "makeup_workdays": "", "basis": "通知"})
    assert bad.status_code == 400 and workdays.DAY_UNREADABLE.format(text="元旦") in bad.content.decode()
    assert 'value="通知"' in bad.content.decode()  # the input is kept
    assert not HolidaySchedule.objects.exists()
    ok = client.post("/settings/holidays/", {"year": year, "holidays": f"{year}-01-01至{year}-01-03", "makeup_workdays": "",
                                             "basis": "国办发明电〔测试〕1号"})
    assert ok.status_code == 302
    page = client.get("/settings/holidays/").content.decode()
    assert f'data-year="{year}"' in page and "国办发明电〔测试〕1号" in page
    assert not workdays.is_workday(dt.date(year, 1, 2))
    assert client.post("/settings/holidays/", {"delete": str(year)}).status_code == 302
    assert not HolidaySchedule.objects.exists()
    assert client.post("/settings/holidays/", {"delete": str(year)}).status_code == 404


@pytest.mark.parametrize("role", ["township_organizer", "branch_secretary", "inspector", "member"])
def test_only_county_admins_find_the_calendar_page(client, tree, role):
    from dangjian.common.models import HolidaySchedule

    client.force_login(tree.users[role])
    assert client.get("/settings/holidays/").status_code == 404
    assert client.post("/settings/holidays/", {"year": 2030, "holidays": "2030-01-01", "basis": "x"}).status_code == 404
    assert not HolidaySchedule.objects.exists()
