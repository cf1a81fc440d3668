"""The commit's bulk insert: on PostgreSQL one COPY stream per batch (executemany through Django's
client-side-binding cursors sent every row as a statement the server parsed and planned afresh), on
SQLite executemany. Either way every value arrives as the validation prepared it — text that COPY's
format would misread if it were not escaped (backslashes, a literal \\N, quotes, tabs), empty
strings, NULL dates, booleans, timestamps."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from dangjian.common import crypto
from dangjian.ledgers import importer, services
from dangjian.ledgers.models import ImportJob
from dangjian.members import rules as mrules
from dangjian.members.models import Member, MembershipEvent

from .conftest import write_xlsx
from .test_import import NATIONAL_HEADER, pid

pytestmark = pytest.mark.django_db
S = ImportJob.Status

AWKWARD = ["C:\\N\\目录", "\\N", "引号\"和'单引号'", "制表\t符", "反斜杠\\\\结尾\\", "|逗号,分号;"]


def test_insert_writes_every_value_as_given(tree):
    """_Insert.insert directly: awkward text, NULL and non-NULL dates, booleans and timestamps
    round-trip through the database's bulk path."""
    ins = importer._Insert(Member, late=importer.MEMBER_LATE)
    now = timezone.now().replace(microsecond=123456)
    ids = importer._reserve_ids(Member, len(AWKWARD))
    rows = []
    for i, (pk, text) in enumerate(zip(ids, AWKWARD, strict=True)):
        row = ins.build({
            "name": f"名{i}", "name_pinyin": f"ming{i}", "name_initials": "m", "sex": "1", "id_number_enc": "enc",
            "id_number_hash": f"hash-{i}", "id_number_masked": "110101********0011", "birth_date": dt.date(1980, 1, i + 1),
            "education": "bachelor", "personnel_category": "farmer", "job": text, "current_residence": "",
            "status": mrules.PROBATIONARY if i % 2 else mrules.FULL, "joined_on": dt.date(2005, 7, 1),
            "converted_on": None if i % 2 else dt.date(2006, 7, 1), "is_mobile": bool(i % 2), "version": 1,
        })
        for name, value in (("id", pk), ("org_id", tree.village_a1.pk), ("county_id", tree.county.pk),
                            ("created_at", now), ("updated_at", now)):
            row[ins.index[name]] = ins.adapt(name, value)
        rows.append(row)
    with transaction.atomic():
        ins.insert(rows)
    got = {m.pk: m for m in Member.objects.filter(pk__in=ids)}
    assert len(got) == len(AWKWARD)
    for i, (pk, text) in enumerate(zip(ids, AWKWARD, strict=True)):
        m = got[pk]
        assert m.job == text and m.current_residence == "" and m.degree == ""
        assert m.converted_on == (None if i % 2 else dt.date(2006, 7, 1))
        assert m.is_mobile is bool(i % 2) and m.is_lost_contact is False
        assert (m.org_id, m.county_id, m.birth_date, m.created_at) == (tree.village_a1.pk, tree.county.pk,
                                                                        dt.date(1980, 1, i + 1), now)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgresql_inserts_through_copy(tree):
    ins = importer._Insert(MembershipEvent, late=importer.EVENT_LATE)
    assert ins.copy_sql.startswith('COPY "members_membershipevent" ("id", ')


def test_an_import_of_awkward_text_commits_it_unchanged(tree, tmp_path):
    """The whole path (validation, plan file, commit) with text the bulk insert must escape."""
    user = tree.users["township_organizer"]
    rows = [NATIONAL_HEADER]
    for i, text in enumerate(AWKWARD):
        birth = dt.date(1975 + i, 3, 4)
        rows.append([f"怪字{i}", "男", pid(birth, "1", 70 + i), "汉族", birth.isoformat(), "大学本科", "农牧渔民", "",
                     "中共甲镇一村支部委员会", "" if i % 2 else f"1390000{i:04d}", f"{birth.year + 25}-07-01",
                     "" if i % 2 else f"{birth.year + 26}-07-01", "", "", "", text.replace("\t", " "), "", "否",
                     text.replace("\t", " "), "", "否", "否"])
    job = services.import_file(actor=user, path=write_xlsx(tmp_path / "m.xlsx", {"党员": rows}))
    assert job.status == S.COMMITTED, (job.message, list(job.issues.values_list("row", "column", "message")))
    assert job.counts["members_new"] == len(AWKWARD)
    for i, r in enumerate(rows[1:]):
        m = Member.objects.get(id_number_hash=crypto.keyed_hash(r[2]))
        assert (m.name, m.job, m.current_residence) == (r[0], r[15], r[18])
        assert m.phone_masked == ("" if i % 2 else crypto.mask_phone(r[9]))
        assert m.status == (mrules.PROBATIONARY if i % 2 else mrules.FULL)
        assert m.converted_on == (None if i % 2 else dt.date.fromisoformat(r[11]))
        ev = MembershipEvent.objects.get(member=m)
        assert (ev.kind, ev.note, ev.to_org_id, ev.letter_number, ev.out_date) == (
            mrules.RECORDED, importer.IMPORT_NOTE, tree.village_a1.pk, "", None)
