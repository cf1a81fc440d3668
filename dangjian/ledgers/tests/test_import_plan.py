"""The validated plan: the file is read once; the commit writes what the validation prepared (kept in
a file beside the upload, HMAC-checked), after re-checking what can have changed in between — and
refuses, writing nothing, when something did."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.common import crypto, idnumbers
from dangjian.common.tests.helpers import row_counts
from dangjian.ledgers import importer, services
from dangjian.ledgers.models import ImportJob
from dangjian.members import rules as mrules
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.pinyin import name_keys
from dangjian.orgs.models import Org
from dangjian.testing import make_member

from .conftest import write_xlsx
from .test_import import NATIONAL_HEADER, new_member_rows

pytestmark = pytest.mark.django_db
S = ImportJob.Status


def validated(user, path):
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY, list(job.issues.values_list("row", "column", "message"))
    return job


def commit(user, job):
    services.job_request_commit(actor=user, job=job, enqueue=False)
    return services.job_commit(job_id=job.pk)


def test_the_commit_writes_the_validated_plan_without_reading_the_file_again(tree, tmp_path):
    user = tree.users["township_organizer"]
    rows = new_member_rows(5)
    job = validated(user, write_xlsx(tmp_path / "m.xlsx", {"党员": rows}))
    plan = services.plan_path(job.pk)
    assert plan.exists()
    # The plan holds the rows encrypted: no ID number or phone number in the clear.
    data = plan.read_bytes()
    assert not any(r[2].encode() in data or r[9].encode() in data for r in rows[1:])
    # The upload is gone (or replaced) after the preview: what the user previewed is still what is written.
    services.job_path(job).write_bytes(b"not a spreadsheet any more")
    job = commit(user, job)
    assert job.status == S.COMMITTED, job.message
    assert not plan.exists()
    assert job.counts["members_new"] == 5
    for r in rows[1:]:
        m = Member.objects.get(id_number_hash=crypto.keyed_hash(r[2]))
        assert (m.name, m.org_id, m.county_id, m.version) == (r[0], tree.village_a1.pk, tree.county.pk, 1)
        assert crypto.decrypt(m.id_number_enc) == r[2] and crypto.decrypt(m.phone_enc) == r[9]
        assert (m.name_pinyin, m.name_initials) == name_keys(r[0])
        assert m.id_number_masked == crypto.mask_id_number(r[2]) and m.phone_masked == crypto.mask_phone(r[9])
        assert m.status == mrules.FULL and m.joined_on == dt.date.fromisoformat(r[10])
        ev = MembershipEvent.objects.get(member=m)
        assert (ev.kind, ev.to_org_id, ev.org_after_id, ev.status_after, ev.recorded_by_id) == (
            mrules.RECORDED, tree.village_a1.pk, tree.village_a1.pk, mrules.FULL, user.pk)


def test_a_member_recorded_by_someone_else_in_between_refuses_the_commit(tree, tmp_path):
    user = tree.users["township_organizer"]
    rows = new_member_rows(4)
    job = validated(user, write_xlsx(tmp_path / "m.xlsx", {"党员": rows}))
    birth = dt.date.fromisoformat(rows[3][4])
    make_member(tree.village_a2, name="抢先录入", birth_date=birth, id_number=rows[3][2])
    before = row_counts()
    job = commit(user, job)
    assert job.status == S.FAILED and job.message == services.PLAN_CHANGED
    assert row_counts() == before
    assert not services.plan_path(job.pk).exists()


def test_a_member_edited_in_between_refuses_the_commit_even_when_the_file_leaves_them_unchanged(tree, tmp_path):
    from dangjian.members.services import member_update

    user = tree.users["township_organizer"]
    member = tree.member_a1
    rows = [NATIONAL_HEADER, ["李明", "男", crypto.decrypt(member.id_number_enc), "汉族", member.birth_date.isoformat(),
                              "大学本科", "农牧渔民", "", "中共甲镇一村支部委员会", "13800000001", "2010-07-01", "2011-07-01"]]
    rows += new_member_rows(2)[1:]
    job = validated(user, write_xlsx(tmp_path / "m.xlsx", {"党员": rows}))
    assert job.counts["members_new"] == 2
    member_update(actor=user, member=member, version=member.version, job="会计")
    before = row_counts()
    job = commit(user, job)
    assert job.status == S.FAILED and job.message == services.PLAN_CHANGED
    assert row_counts() == before


def test_an_organization_renamed_or_a_code_taken_in_between_refuses_the_commit(tree, tmp_path):
    from dangjian.orgs.services import org_create, org_rename

    user = tree.users["township_organizer"]
    job = validated(user, write_xlsx(tmp_path / "m.xlsx", {"党员": new_member_rows(2)}))
    org_rename(actor=tree.users["county_admin"], org=tree.village_a1, name="中共甲镇一村党总支", date=timezone.localdate(),
               doc_number="1")
    before = row_counts()
    assert commit(user, job).message == services.PLAN_CHANGED
    assert row_counts() == before

    orgs = [["党组织全称", "党组织编码", "上级党组织", "组织类别", "组织类型", "成立日期"],
            ["中共甲镇五村支部委员会", "P0001", "中共甲镇委员会", "农村", "党支部", "2020-01-01"]]
    job = validated(user, write_xlsx(tmp_path / "o.xlsx", {"党组织": orgs}))
    org_create(actor=user, parent=tree.town_a, name="另一个支部", code="P0001", org_type="branch",
               established_on=dt.date(2020, 1, 1))
    before = row_counts()
    assert commit(user, job).message == services.PLAN_CHANGED
    assert row_counts() == before


def test_a_damaged_or_stale_plan_is_not_used_the_file_is_validated_again(tree, tmp_path):
    user = tree.users["township_organizer"]
    rows = new_member_rows(3)
    path = write_xlsx(tmp_path / "m.xlsx", {"党员": rows})
    job = validated(user, path)
    plan = services.plan_path(job.pk)
    data = bytearray(plan.read_bytes())
    data[20] ^= 0xFF  # one flipped byte: the HMAC no longer matches
    plan.write_bytes(bytes(data))
    with pytest.raises(importer.PlanUnusable):
        importer.PlanReader(plan)
    job = commit(user, job)
    assert job.status == S.COMMITTED, job.message
    assert Member.objects.filter(name__startswith="党员").count() == 3

    # validated "yesterday": the commit validates again today; the plan's digest still decides
    job = services.import_file(actor=user, path=write_xlsx(tmp_path / "n.xlsx", {"党员": new_member_rows(2, start=80)}),
                               commit=False, today=timezone.localdate() - dt.timedelta(days=1))
    assert job.status == S.READY
    job = commit(user, job)
    assert job.status == S.COMMITTED, job.message
    assert Member.objects.filter(name__startswith="党员").count() == 5


def test_the_plan_of_an_invalid_file_is_not_kept(tree, tmp_path):
    user = tree.users["township_organizer"]
    rows = new_member_rows(2)
    rows[2][2] = "123"
    job = services.import_file(actor=user, path=write_xlsx(tmp_path / "bad.xlsx", {"党员": rows}), commit=False)
    assert job.status == S.INVALID
    assert not services.plan_path(job.pk).exists()


def test_organizations_and_members_of_one_file_through_the_plan(tree, tmp_path):
    """New organizations (in bulk) and members in them, a transfer into one of them, and a phone change."""
    user = tree.users["township_organizer"]
    orgs = [["党组织全称", "党组织编码", "上级党组织", "组织类别", "组织类型", "成立日期"],
            ["中共甲镇六村支部委员会", "Q0002", "Q0001", "农村", "党支部", "2020-01-01"],
            ["中共甲镇六村总支部委员会", "Q0001", "中共甲镇委员会", "农村", "党总支", "2019-01-01"]]
    member = tree.member_a1
    members = [NATIONAL_HEADER,
               ["李明", "男", crypto.decrypt(member.id_number_enc), "汉族", member.birth_date.isoformat(), "大学本科", "农牧渔民", "",
                "中共甲镇六村支部委员会", "13999990000", "2010-07-01", "2011-07-01"],
               ["新党员", "女", idnumbers.make("110101", dt.date(1991, 2, 3), 90, "2"), "汉族", "1991-02-03", "大学本科",
                "农牧渔民", "", "Q0002", "", "2015-07-01", "2016-07-01"]]  # fmt: skip
    job = validated(user, write_xlsx(tmp_path / "both.xlsx", {"党员": members, "党组织": orgs}))
    assert job.counts["orgs_new"] == 2 and job.counts["members_new"] == 1 and job.counts["transfers"] == 1
    job = commit(user, job)
    assert job.status == S.COMMITTED, job.message
    branch = Org.objects.get(code="Q0002")
    assert Org.objects.get_parent(branch).code == "Q0001"
    member.refresh_from_db()
    assert member.org == branch and member.phone_masked == "139****0000" and crypto.decrypt(member.phone_enc) == "13999990000"
    transfer = member.events.get(kind=mrules.TRANSFER)
    assert transfer.from_org == tree.village_a1 and transfer.to_org == branch
    new = Member.objects.get(name="新党员")
    assert new.org == branch and new.county_id == tree.county.pk
    assert all(not p for p in Org.objects.find_problems())


def test_a_big_sheet_is_sealed_in_a_helper_process_with_the_same_result(tree, tmp_path, monkeypatch):
    """Encryption and pinyin of new members run in a forked helper for big sheets (here: any sheet,
    in batches of 2); the rows are the same as sealed in this process, in the file's order."""
    user = tree.users["township_organizer"]
    monkeypatch.setattr(importer, "SEAL_IN_HELPER_FROM", 1)
    monkeypatch.setattr(importer, "MEMBER_BATCH", 2)
    used = []
    real = importer.concurrent.futures.ProcessPoolExecutor

    def pool(*args, **kw):
        used.append(kw["mp_context"].get_start_method())
        return real(*args, **kw)

    monkeypatch.setattr(importer.concurrent.futures, "ProcessPoolExecutor", pool)
    rows = new_member_rows(7)
    job = validated(user, write_xlsx(tmp_path / "m.xlsx", {"党员": rows}))
    assert used == ["fork"]
    job = commit(user, job)
    assert job.status == S.COMMITTED, job.message
    for r in rows[1:]:
        m = Member.objects.get(id_number_hash=crypto.keyed_hash(r[2]))
        assert m.name == r[0] and crypto.decrypt(m.id_number_enc) == r[2] and crypto.decrypt(m.phone_enc) == r[9]
        assert (m.name_pinyin, m.name_initials) == name_keys(r[0])
