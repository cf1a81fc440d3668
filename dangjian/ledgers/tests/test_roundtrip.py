"""Export → import → nothing changes, in both column sets and both file types; a second import of
the same file changes nothing either."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.common.tests.helpers import row_counts
from dangjian.ledgers import rules, services
from dangjian.ledgers.models import ImportJob
from dangjian.members.models import Member
from dangjian.testing import make_member

pytestmark = pytest.mark.django_db
S = ImportJob.Status


def member_state():
    return sorted(Member.objects.values_list(
        "pk", "name", "sex", "ethnicity", "birth_date", "education", "degree", "personnel_category", "phone_hash",
        "org_id", "status", "joined_on", "converted_on", "is_mobile", "is_lost_contact", "job", "party_age_correction",
        "version",
    ))


@pytest.fixture
def roster(tree):
    make_member(tree.village_a2, name="周强", phone="13911112222", ethnicity="03", education="master", degree="master",
                job="村委会主任", is_migrant_worker=True, current_residence="甲镇二村", party_age_correction=-1)
    make_member(tree.village_a1, name="吴丽", sex="2", birth_date=dt.date(1999, 1, 2), date=dt.date(2024, 7, 1),
                joined_on=dt.date(2024, 7, 1), converted_on=None, status="probationary")
    return tree


@pytest.mark.parametrize("column_set", ["members_national", "members_dangjian"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_roster_round_trip_changes_nothing(roster, tmp_path, column_set, fmt):
    user = roster.users["county_admin"]
    path = tmp_path / f"roster.{fmt}"
    n = services.export_roster(actor=user, org=roster.county, as_of=timezone.localdate(), column_set=column_set, fmt=fmt,
                               path=path, full=True)
    assert n == 4
    before, counts = member_state(), row_counts()
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY, (job.message, list(job.issues.values_list("message", flat=True)))
    assert job.counts["members_unchanged"] == 4
    assert job.counts.get("members_new", 0) == 0 and job.counts.get("members_changed", 0) == 0
    assert job.counts.get("transfers", 0) == 0
    services.job_request_commit(actor=user, job=job, enqueue=False)
    job = services.job_commit(job_id=job.pk)
    assert job.status == S.COMMITTED
    assert member_state() == before
    after = row_counts()
    assert after["AuditEvent"] == counts["AuditEvent"] + 1  # the import's own summary, nothing else
    assert {k: v for k, v in after.items() if k != "AuditEvent"} == {k: v for k, v in counts.items() if k != "AuditEvent"}


def test_org_list_round_trip_changes_nothing(tree, tmp_path):
    user = tree.users["county_admin"]
    path = tmp_path / "orgs.xlsx"
    assert services.export_orgs(actor=user, org=tree.county, fmt="xlsx", path=path) == 6
    job = services.import_file(actor=user, path=path, commit=False)
    assert job.status == S.READY, list(job.issues.values_list("message", flat=True))
    assert job.counts == {"orgs_unchanged": 6, "errors": 0, "warnings": 0}


def test_masked_export_hides_ids_and_phones(roster, tmp_path):
    from .conftest import read_xlsx

    user = roster.users["county_admin"]
    path = tmp_path / "masked.xlsx"
    services.export_roster(actor=user, org=roster.county, as_of=timezone.localdate(), column_set=rules.MEMBERS_NATIONAL.key,
                           fmt="xlsx", path=path)
    rows = read_xlsx(path)
    header = rows[0]
    ids = [r[header.index("公民身份号码")] for r in rows[1:]]
    phones = [r[header.index("手机号码")] for r in rows[1:]]
    assert all("*" in i for i in ids)
    assert "139****2222" in phones
    # The hidden 8 digits of a masked ID are the birth date: a masked export shows the year only.
    births = [r[header.index("出生日期")] for r in rows[1:]]
    assert births and all(str(b).endswith("-**-**") for b in births)
    assert header[: len(rules.MEMBERS_NATIONAL.columns)] == [c.header for c in rules.MEMBERS_NATIONAL.columns]


def test_a_masked_export_cannot_be_imported_and_says_why(roster, tmp_path):
    from dangjian.ledgers import importer

    user = roster.users["county_admin"]
    path = tmp_path / "masked.csv"
    services.export_roster(actor=user, org=roster.county, as_of=timezone.localdate(), column_set="members_national", fmt="csv",
                           path=path)
    job = services.import_file(actor=user, path=path)
    assert job.status == S.INVALID
    # Each masked column says so: the ID number, and the birth date (year only in a masked export).
    assert set(job.issues.values_list("message", flat=True)) & {importer.ID_MASKED, rules.DATE_MASKED}
