"""The pages: upload → job page with progress → preview → commit; downloads; scope (404s);
unmasked exports audited; a job whose worker died is marked failed."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.common import crypto
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import row_counts
from dangjian.ledgers import services
from dangjian.ledgers.models import ImportJob
from dangjian.members.models import Member
from dangjian.testing import PASSWORD

from .conftest import read_xlsx, write_xlsx
from .test_bad_files import HEADER, good_row

pytestmark = pytest.mark.django_db
S = ImportJob.Status


def client_for(client, tree, role):
    assert client.login(username=tree.users[role].username, password=PASSWORD)
    return client


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_upload_preview_commit(client, tree, tmp_path):
    c = client_for(client, tree, "township_organizer")
    path = write_xlsx(tmp_path / "u.xlsx", {"党员": [HEADER, good_row(7)]})
    with path.open("rb") as f:
        r = c.post(reverse("ledgers:upload"), {"file": f})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("ledgers:job", args=[job.pk])
    assert job.status == S.READY  # the tests' ImmediateBackend ran the validation task at once
    page = c.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert "确认导入" in page and "新增党员" in page and "张三" in page
    progress = c.get(reverse("ledgers:job_progress", args=[job.pk]))
    assert progress.status_code == 200 and b"progress-bar" in progress.content
    r = c.post(reverse("ledgers:job_commit", args=[job.pk]))
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == S.COMMITTED
    assert Member.objects.filter(name="张三").count() == 1
    assert "导入完成" in c.get(reverse("ledgers:job", args=[job.pk])).content.decode()


def test_bad_file_upload_shows_the_message(client, tree):
    c = client_for(client, tree, "township_organizer")
    upload = io.BytesIO(b"\x00\x01garbage" * 100)
    upload.name = "x.xlsx"
    r = c.post(reverse("ledgers:upload"), {"file": upload}, follow=True)
    assert r.status_code == 200
    assert "不是 Excel" in r.content.decode()


def test_errors_file_download(client, tree, tmp_path):
    c = client_for(client, tree, "township_organizer")
    bad = good_row(8)
    bad[2] = "110101"
    path = write_xlsx(tmp_path / "e.xlsx", {"党员": [HEADER, bad]})
    with path.open("rb") as f:
        c.post(reverse("ledgers:upload"), {"file": f})
    job = ImportJob.objects.get()
    assert job.status == S.INVALID
    page = c.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    assert "公民身份号码应为18位" in page and "确认导入" not in page
    r = c.get(reverse("ledgers:job_errors_file", args=[job.pk]))
    assert r.status_code == 200
    out = tmp_path / "out.xlsx"
    out.write_bytes(body(r))
    rows = read_xlsx(out)
    assert rows[0][-1] == "错误信息" and "18位" in rows[1][-1]


def test_jobs_are_their_uploaders_alone(client, tree, tmp_path):
    job = services.import_file(actor=tree.users["county_admin"], path=write_xlsx(tmp_path / "a.xlsx", {"党员": [HEADER, good_row(9)]}),
                               commit=False)
    c = client_for(client, tree, "township_organizer")
    for name in ("ledgers:job", "ledgers:job_progress", "ledgers:job_errors_file"):
        assert c.get(reverse(name, args=[job.pk])).status_code == 404
    assert c.post(reverse("ledgers:job_commit", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == S.READY


def test_read_only_roles_cannot_import(client, tree):
    for role in ("inspector", "member"):
        client.logout()
        c = client_for(client, tree, role)
        upload = io.BytesIO(b"a,b\n")
        upload.name = "x.csv"
        assert c.post(reverse("ledgers:upload"), {"file": upload}).status_code == 404
    assert ImportJob.objects.count() == 0


def test_township_organizer_cannot_export_another_township(client, tree):
    c = client_for(client, tree, "township_organizer")
    for name in ("ledgers:export_roster", "ledgers:export_orgs"):
        assert c.get(reverse(name), {"org": tree.town_b.pk}).status_code == 404
        assert c.get(reverse(name), {"org": tree.county.pk}).status_code == 404
        assert c.get(reverse(name), {"org": tree.town_a.pk}).status_code == 200


def test_export_views_and_template(client, tree, tmp_path):
    c = client_for(client, tree, "county_admin")
    assert "导出花名册" in c.get(reverse("ledgers:home")).content.decode()
    r = c.get(reverse("ledgers:export_roster"), {"org": tree.county.pk, "set": "members_dangjian", "fmt": "csv",
                                                "as_of": timezone.localdate().isoformat()})
    text = body(r).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("姓名,性别,公民身份号码") and "李明" in text and "王芳" in text
    assert "138****0001" in text
    r = c.get(reverse("ledgers:template"))
    path = tmp_path / "t.xlsx"
    path.write_bytes(body(r))
    import openpyxl

    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填写说明", "代码表", "党组织信息", "党员信息"]
    assert wb["代码表"].sheet_state == "hidden"
    members = wb["党员信息"]
    assert members["A1"].value == "姓名*"
    assert any("代码表" in dv.formula1 for dv in members.data_validations.dataValidation)
    # the template itself imports: a filled-in row goes straight in
    members.append(["赵六", "男", good_row(10)[2], "汉族", "1980-01-01", "大学本科", None, "农牧渔民", tree.village_a1.code,
                    None, "正式党员", "2005-01-01", "2006-01-01"])
    wb.save(path)
    job = services.import_file(actor=tree.users["county_admin"], path=path, commit=False)
    assert job.status == S.READY, list(job.issues.values_list("message", flat=True))
    assert job.counts["members_new"] == 1


def test_unmasked_export_is_audited(client, tree):
    c = client_for(client, tree, "township_organizer")
    before = AuditEvent.objects.filter(action="ledgers.export.full").count()
    r = c.get(reverse("ledgers:export_roster"), {"org": tree.town_a.pk, "fmt": "csv"})
    assert crypto.decrypt(tree.member_a1.id_number_enc) not in body(r).decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="ledgers.export.full").count() == before
    r = c.get(reverse("ledgers:export_roster"), {"org": tree.town_a.pk, "fmt": "csv", "full": "1"})
    text = body(r).decode("utf-8-sig")
    assert crypto.decrypt(tree.member_a1.id_number_enc) in text and "13800000001" in text
    event = AuditEvent.objects.get(action="ledgers.export.full")
    assert event.actor == tree.users["township_organizer"] and event.org == tree.town_a
    assert event.changes["members"] == [None, 1]


def test_a_job_whose_worker_died_is_marked_failed(client, tree, tmp_path):
    job = services.import_file(actor=tree.users["township_organizer"], path=write_xlsx(tmp_path / "s.xlsx", {"党员": [HEADER, good_row(11)]}),
                               commit=False)
    ImportJob.objects.filter(pk=job.pk).update(status=S.COMMITTING, heartbeat_at=timezone.now() - dt.timedelta(minutes=10))
    c = client_for(client, tree, "township_organizer")
    before = row_counts()
    page = c.get(reverse("ledgers:job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == S.FAILED and job.message == services.STALE
    assert "后台任务中断" in page and "重新校验" in page
    assert row_counts() == before
    # a running job with a fresh heartbeat is left alone
    ImportJob.objects.filter(pk=job.pk).update(status=S.VALIDATING, heartbeat_at=timezone.now())
    job.refresh_from_db()
    assert services.job_check_alive(job).status == S.VALIDATING
    # retry validates again
    ImportJob.objects.filter(pk=job.pk).update(status=S.FAILED)
    c.post(reverse("ledgers:job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == S.READY


def test_navigation_has_the_ledgers(client, tree):
    c = client_for(client, tree, "branch_secretary")
    assert reverse("ledgers:home") in c.get(reverse("web:home")).content.decode()
