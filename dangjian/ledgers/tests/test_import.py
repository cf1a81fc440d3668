"""Importing: a file typed by hand, new members and organizations, transfers, conversions, every
bad row explained, re-import idempotence, scope, and the all-or-nothing commit."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.common import crypto, idnumbers
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import row_counts
from dangjian.ledgers import importer, rules, services
from dangjian.ledgers.models import ImportJob
from dangjian.members import rules as mrules
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.selectors import roster_as_of
from dangjian.orgs.models import Org

from .conftest import write_csv, write_xlsx

pytestmark = pytest.mark.django_db
S = ImportJob.Status

NATIONAL_HEADER = ["姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "学位", "所在党支部", "手机号码",
                   "入党日期", "转正日期", "党龄", "党龄校正值", "新社会阶层类型", "工作岗位", "从事专业技术职务", "是否农民工",
                   "现居住地", "户籍所在地", "是否失联党员", "是否流动党员"]  # fmt: skip


def pid(birth, sex="1", seq=1):
    return idnumbers.make("110101", birth, seq, sex)


def issues(job):
    return list(job.issues.values_list("level", "sheet", "row", "column", "value", "message"))


def errors(job):
    return [i for i in issues(job) if i[0] == "error"]


def hand_typed(tree, tmp_path):
    """A roster typed by hand in LibreOffice: a title row, headers in another order with spaces and
    full-width characters, text dates in every form, numbers stored as text, stray spaces."""
    header = ["  姓 名", "公民身份号码", "性别", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期", "转正日期",
              "手机号码", "是否流动党员", "党龄校正值", "备注"]  # fmt: skip
    rows = [
        ["甲镇党员名册（2026年）"],
        header,
        [" 陈 静 ", pid(dt.date(1988, 2, 3), "2", 11), "女", "汉族", "1988年2月3日", "大学本科", "农牧渔民",
         "中共甲镇一村支部委员会", "2012.6.30", "2013/7/1", "１３９ １２３４ ５６７８", "否", "0", "手写"],
        ["刘洋", pid(dt.date(1990, 5, 6), "1", 12), "1", "01", "19900506", "大专", "工人", " 中共甲镇二村支部委员会 ",
         "2015-07-01", "20160701", 13700001111, "是", -1, ""],
        ["孙悦", pid(dt.date(2000, 9, 9), "2", 13), "女", "回族", dt.date(2000, 9, 9), "研究生（硕士）", "学生",
         "中共甲镇一村支部委员会", "２０２５－０３－０１", "", "", "", "", ""],
    ]
    return write_xlsx(tmp_path / "hand.xlsx", {"花名册": rows})


def test_hand_typed_file_goes_in(tree, tmp_path):
    user = tree.users["township_organizer"]
    job = services.import_file(actor=user, path=hand_typed(tree, tmp_path), commit=False)
    assert job.status == S.READY, issues(job)
    assert job.counts["members_new"] == 3
    job = services.job_commit(job_id=services.job_request_commit(actor=user, job=job, enqueue=False).pk)
    assert job.status == S.COMMITTED, job.message
    chen = Member.objects.get(name="陈 静")
    assert chen.sex == "2" and chen.birth_date == dt.date(1988, 2, 3) and chen.org == tree.village_a1
    assert chen.joined_on == dt.date(2012, 6, 30) and chen.converted_on == dt.date(2013, 7, 1)
    assert chen.status == mrules.FULL and chen.phone_masked == "139****5678"
    assert crypto.decrypt(chen.phone_enc) == "13912345678"
    liu = Member.objects.get(name="刘洋")
    assert liu.education == "college" and liu.is_mobile and liu.party_age_correction == -1
    assert crypto.decrypt(liu.phone_enc) == "13700001111"
    sun = Member.objects.get(name="孙悦")
    assert sun.status == mrules.PROBATIONARY and sun.ethnicity == "03" and sun.education == "master"
    assert sun.probation_ends_on == dt.date(2026, 3, 1)
    # Every member has the events the rules replay to that state, and counts in the roster.
    assert MembershipEvent.objects.filter(member=liu).count() == 2
    on = roster_as_of(tree.users["county_admin"], tree.county, timezone.localdate()).values_list("name", flat=True)
    assert {"陈 静", "刘洋", "孙悦"} <= set(on)
    assert AuditEvent.objects.filter(action="ledgers.import").count() == 1


def test_reimporting_the_same_file_changes_nothing(tree, tmp_path):
    user = tree.users["township_organizer"]
    path = hand_typed(tree, tmp_path)
    assert services.import_file(actor=user, path=path).status == S.COMMITTED
    before = (row_counts(), sorted(Member.objects.values_list("pk", "version", "org_id", "phone_hash", "is_mobile")))
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY
    assert job.counts["members_unchanged"] == 3 and "members_new" not in job.counts and "members_changed" not in job.counts
    job = services.import_file(actor=user, path=path)
    assert job.status == S.COMMITTED
    after = (row_counts(), sorted(Member.objects.values_list("pk", "version", "org_id", "phone_hash", "is_mobile")))
    assert after[1] == before[1]
    assert after[0]["AuditEvent"] == before[0]["AuditEvent"] + 1


def test_moving_a_member_is_a_transfer_and_the_preview_says_so(tree, tmp_path):
    user = tree.users["township_organizer"]
    member = tree.member_a1  # 李明, in 一村
    number = crypto.decrypt(member.id_number_enc)
    path = write_csv(tmp_path / "move.csv", [
        ["姓名", "公民身份号码", "性别", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期", "转正日期", "学位"],
        ["李明", number, "男", "汉族", "1985-06-15", "大学本科", "农牧渔民", "中共甲镇二村支部委员会", "2010-07-01", "2011-07-01", "学士"],
    ])
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY, issues(job)
    assert job.counts["transfers"] == 1 and job.counts["members_changed"] == 1
    preview = job.changes["preview"]
    assert any(c["kind"] == "组织关系转接" and "中共甲镇一村支部委员会 → 中共甲镇二村支部委员会" in c["detail"] for c in preview)
    assert any(c["kind"] == "修改党员信息" and "学位" in c["detail"] for c in preview)
    job = services.job_commit(job_id=services.job_request_commit(actor=user, job=job, enqueue=False).pk)
    assert job.status == S.COMMITTED, job.message
    member.refresh_from_db()
    assert member.org == tree.village_a2 and member.degree == "bachelor"
    transfer = member.events.get(kind=mrules.TRANSFER)
    assert transfer.from_org == tree.village_a1 and transfer.to_org == tree.village_a2
    assert AuditEvent.objects.filter(action="member.event.transfer", target_id=str(member.pk)).exists()
    # the roster of yesterday still has him in 一村 (history, not overwrite)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    old = roster_as_of(tree.users["county_admin"], tree.village_a1, yesterday)
    assert member.pk in set(old.values_list("pk", flat=True))


def test_probationary_member_converted_by_the_file(tree, tmp_path):
    from dangjian.testing import make_member

    user = tree.users["township_organizer"]
    birth = dt.date(1995, 1, 1)
    number = pid(birth, "1", 21)
    make_member(tree.village_a1, name="郑一", birth_date=birth, id_number=number, date=dt.date(2024, 5, 1),
                joined_on=dt.date(2024, 5, 1), converted_on=None, status="probationary")
    path = write_csv(tmp_path / "conv.csv", [
        ["姓名", "公民身份号码", "性别", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期", "转正日期"],
        ["郑一", number, "男", "汉族", "1995-01-01", "大学本科", "农牧渔民", "中共甲镇一村支部委员会", "2024-05-01", "2025-05-01"],
    ])
    job = services.import_file(actor=user, path=path)
    assert job.status == S.COMMITTED, (job.message, issues(job))
    m = Member.objects.get(name="郑一")
    assert m.status == mrules.FULL and m.converted_on == dt.date(2025, 5, 1)


def test_every_bad_row_is_explained_and_nothing_is_written(tree, tmp_path):
    user = tree.users["township_organizer"]
    good = pid(dt.date(1980, 1, 1), "1", 31)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        NATIONAL_HEADER,
        ["好人", "男", good, "汉族", "1980-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2000-01-01", "2001-01-01"],
        ["校验码错", "男", bad_check, "汉族", "1980-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2000-01-01", ""],
        ["重复", "男", good, "汉族", "1980-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2000-01-01", ""],
        ["日期错", "男", pid(dt.date(1981, 1, 1), "1", 32), "汉族", "1981/13/01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2000-01-01", ""],
        ["民族错", "男", pid(dt.date(1982, 1, 1), "1", 33), "火星族", "1982-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2000-01-01", ""],
        ["外镇", "男", pid(dt.date(1983, 1, 1), "1", 34), "汉族", "1983-01-01", "大学本科", "农牧渔民", "", "中共乙镇一村支部委员会", "", "2000-01-01", ""],
        ["无此支部", "男", pid(dt.date(1984, 1, 1), "1", 35), "汉族", "1984-01-01", "大学本科", "农牧渔民", "", "中共不存在支部委员会", "", "2000-01-01", ""],
        ["镇党委", "男", pid(dt.date(1985, 1, 1), "1", 36), "汉族", "1985-01-01", "大学本科", "农牧渔民", "", "中共甲镇委员会", "", "2000-01-01", ""],
        ["性别不符", "女", pid(dt.date(1986, 1, 1), "1", 37), "汉族", "1986-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2005-01-01", ""],
        ["", "男", pid(dt.date(1987, 1, 1), "1", 38), "汉族", "1987-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2010-01-01", ""],
        ["乙镇党员", "女", crypto.decrypt(tree.member_b1.id_number_enc), "汉族", "1990-03-08", "大学本科", "农牧渔民", "",
         "中共甲镇一村支部委员会", "", "2010-07-01", "2011-07-01"],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "bad.xlsx", {"党员": rows})
    before = row_counts()
    job = services.import_file(actor=user, path=path)
    assert job.status == S.INVALID
    found = {(row, column): message for _l, sheet, row, column, _v, message in errors(job)}
    assert all(sheet == "党员" for _l, sheet, *_ in errors(job))
    assert "校验码" in found[(3, "公民身份号码")]
    assert found[(4, "公民身份号码")] == importer.DUPLICATE_ID.format(row=2)
    assert "2021-06-30" in found[(5, "出生日期")]
    assert "火星族" in found[(6, "民族")] and "汉族" in found[(6, "民族")]
    # another township's branch does not exist for this user (named, it is "not found"; by code, "out of scope")
    assert found[(7, "所在党支部")] == importer.ORG_NOT_FOUND.format(value="中共乙镇一村支部委员会")
    assert found[(8, "所在党支部")] == importer.ORG_NOT_FOUND.format(value="中共不存在支部委员会")
    assert "党员组织关系只能隶属于" in found[(9, "所在党支部")]
    assert "性别" in found[(10, "性别")]
    assert found[(11, "姓名")] == rules.REQUIRED.format(column="姓名")
    assert found[(12, "公民身份号码")] == importer.MEMBER_OUT_OF_SCOPE
    assert (2, "公民身份号码") not in found
    assert job.counts["errors"] == len(errors(job))
    assert row_counts() == before
    # Commit of an invalid job is refused.
    with pytest.raises(services.ServiceError):
        services.job_request_commit(actor=user, job=job, enqueue=False)


def test_error_copy_has_an_errors_column(tree, tmp_path):
    from .conftest import read_xlsx

    user = tree.users["township_organizer"]
    rows = [NATIONAL_HEADER,
            ["好人", "男", pid(dt.date(1980, 1, 1), "1", 41), "汉族", "1980-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2000-01-01", "2001-01-01"],
            ["坏人", "男", "123", "汉族", "1980-01-01", "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "", "2000-01-01", ""]]  # fmt: skip
    job = services.import_file(actor=user, path=write_xlsx(tmp_path / "e.xlsx", {"党员": rows}))
    assert job.status == S.INVALID
    path, name = services.job_error_copy(job, tmp_path / "copy")
    assert name.endswith("-错误信息.xlsx")
    out = read_xlsx(path)
    assert out[0][-1] == "错误信息"
    assert out[1][-1] in (None, "")
    assert "公民身份号码" in out[2][-1] and "18位" in out[2][-1]
    assert out[2][0] == "坏人"


def test_organizations_and_their_members_in_one_file(tree, tmp_path):
    user = tree.users["township_organizer"]
    orgs = [["党组织全称", "党组织编码", "上级党组织", "组织类别", "组织类型", "成立日期", "联系人", "是否具有审批预备党员权限"],
            ["中共甲镇三村第一支部委员会", "N0002", "N0001", "农村", "党支部", "2020年1月1日", "张", "否"],
            ["中共甲镇三村总支部委员会", "N0001", "中共甲镇委员会", "③", "党总支", "2019-01-01", "", ""],
            ["中共甲镇二村支部委员会", tree.village_a2.code, tree.town_a.code, "农村", "党支部", "2000-01-01", "王五", "否"]]  # fmt: skip
    members = [NATIONAL_HEADER,
               ["新人", "男", pid(dt.date(1990, 1, 1), "1", 51), "汉族", "1990-01-01", "大学本科", "农牧渔民", "", "中共甲镇三村第一支部委员会", "", "2021-01-01", "2022-01-01"]]  # fmt: skip
    path = write_xlsx(tmp_path / "both.xlsx", {"党员信息": members, "党组织信息": orgs})
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY, issues(job)
    assert job.counts["orgs_new"] == 2 and job.counts["orgs_changed"] == 1 and job.counts["members_new"] == 1
    job = services.job_commit(job_id=services.job_request_commit(actor=user, job=job, enqueue=False).pk)
    assert job.status == S.COMMITTED, job.message
    general = Org.objects.get(code="N0001")
    branch = Org.objects.get(code="N0002")
    assert Org.objects.get_parent(general) == tree.town_a and Org.objects.get_parent(branch) == general
    assert general.org_type == "general_branch" and general.category == "rural"
    assert Member.objects.get(name="新人").org == branch
    tree.village_a2.refresh_from_db()
    assert tree.village_a2.contact_name == "王五"


def test_organization_outside_scope_is_refused(tree, tmp_path):
    user = tree.users["township_organizer"]
    orgs = [["党组织全称", "党组织编码", "上级党组织", "组织类别", "组织类型", "成立日期"],
            ["中共乙镇新支部委员会", "N0100", tree.town_b.code, "农村", "党支部", "2020-01-01"],
            ["中共乙镇一村支部委员会", tree.village_b1.code, tree.town_b.code, "农村", "党支部", "2000-01-01"]]
    before = row_counts()
    job = services.import_file(actor=user, path=write_xlsx(tmp_path / "o.xlsx", {"党组织": orgs}))
    assert job.status == S.INVALID
    messages = [e[5] for e in errors(job)]
    assert importer.ORG_OUT_OF_SCOPE.format(value=tree.town_b.code) in messages
    assert importer.ORG_CODE_ELSEWHERE.format(code=tree.village_b1.code) in messages
    assert row_counts() == before


def new_member_rows(n, start=60):
    rows = [NATIONAL_HEADER]
    for i in range(n):
        birth = dt.date(1970 + i, 1, 1)
        rows.append([f"党员{i}", "男", pid(birth, "1", start + i), "汉族", birth.isoformat(), "大学本科", "农牧渔民", "",
                     "中共甲镇一村支部委员会", f"1380000{i:04d}", f"{birth.year + 25}-07-01", f"{birth.year + 26}-07-01"])
    return rows


def test_a_failure_half_way_through_the_commit_leaves_everything_as_it_was(tree, tmp_path, monkeypatch):
    user = tree.users["township_organizer"]
    rows = new_member_rows(7)
    # also a transfer and an edit of existing members, written after the new ones
    rows.append(["李明", "男", crypto.decrypt(tree.member_a1.id_number_enc), "汉族", "1985-06-15", "大学本科", "工人", "",
                 "中共甲镇二村支部委员会", "", "2010-07-01", "2011-07-01"])
    path = write_xlsx(tmp_path / "big.xlsx", {"党员": rows})
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY, issues(job)
    monkeypatch.setattr(importer, "MEMBER_BATCH", 3)
    calls = {"n": 0}
    real = importer._Insert.insert

    def flaky(self, rows):
        calls["n"] += 1
        if calls["n"] == 5:  # members and events of batch 1 and 2 are in; batch 3 breaks
            raise RuntimeError("disk full")
        return real(self, rows)

    monkeypatch.setattr(importer._Insert, "insert", flaky)
    before = row_counts()
    members_before = sorted(Member.objects.values_list("pk", "org_id", "personnel_category", "version"))
    services.job_request_commit(actor=user, job=job, enqueue=False)
    job = services.job_commit(job_id=job.pk)
    assert calls["n"] == 5
    assert job.status == S.FAILED and job.message == services.INTERNAL
    assert row_counts() == before
    assert sorted(Member.objects.values_list("pk", "org_id", "personnel_category", "version")) == members_before


def test_a_failure_in_the_last_step_rolls_back_the_new_members_too(tree, tmp_path, monkeypatch):
    user = tree.users["township_organizer"]
    rows = new_member_rows(3)
    rows.append(["李明", "男", crypto.decrypt(tree.member_a1.id_number_enc), "汉族", "1985-06-15", "大学本科", "工人", "",
                 "中共甲镇二村支部委员会", "", "2010-07-01", "2011-07-01"])
    job = services.import_file(actor=user, path=write_xlsx(tmp_path / "t.xlsx", {"党员": rows}), commit=False)
    assert job.status == S.READY

    def boom(self):
        raise RuntimeError("audit table locked")

    monkeypatch.setattr(importer.Importer, "_write_audits", boom)
    before = row_counts()
    services.job_request_commit(actor=user, job=job, enqueue=False)
    job = services.job_commit(job_id=job.pk)
    assert job.status == S.FAILED
    assert row_counts() == before
    tree.member_a1.refresh_from_db()
    assert tree.member_a1.org == tree.village_a1


def test_commit_refused_when_data_changed_after_the_preview(tree, tmp_path):
    from dangjian.members.services import member_update

    user = tree.users["township_organizer"]
    number = crypto.decrypt(tree.member_a1.id_number_enc)
    path = write_csv(tmp_path / "c.csv", [
        ["姓名", "公民身份号码", "性别", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期", "转正日期"],
        ["李明", number, "男", "汉族", "1985-06-15", "大学本科", "工人", "中共甲镇一村支部委员会", "2010-07-01", "2011-07-01"],
    ])
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY
    member_update(actor=user, member=tree.member_a1, version=tree.member_a1.version, job="会计")
    before = row_counts()
    services.job_request_commit(actor=user, job=job, enqueue=False)
    job = services.job_commit(job_id=job.pk)
    assert job.status == S.FAILED and job.message == services.PLAN_CHANGED
    assert row_counts() == before


def test_inspector_cannot_import(tree, tmp_path):
    from dangjian.common.errors import NotPermitted

    with pytest.raises(NotPermitted):
        services.import_file(actor=tree.users["inspector"], path=hand_typed(tree, tmp_path))
