"""orgs.services.orgs_bulk_create (the import's way of setting up a city's tree): the checks of
org_create for every row, paths that continue treebeard's numbering, correct numchild, one OrgEvent
and one audit event per organization — and an import of an organizations file through it."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.accounts import rules as account_rules
from dangjian.common.errors import NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import assert_rejected, row_counts
from dangjian.ledgers import services
from dangjian.ledgers.models import ImportJob
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgEvent, OrgEventKind, OrgType
from dangjian.orgs.services import CODE_TAKEN, org_create, orgs_bulk_create

from .conftest import write_xlsx

pytestmark = pytest.mark.django_db
D = dt.date(2020, 1, 1)


def check_tree() -> None:
    """Treebeard's own consistency check, and every parent's numchild against its real children."""
    problems = Org.objects.find_problems()
    assert all(not p for p in problems), problems
    for org in Org.objects.all():
        assert org.numchild == Org.objects.get_children(org).count(), org.name


def test_bulk_create_builds_the_tree_like_org_create(tree):
    actor = tree.users["township_organizer"]
    last_child_before = max(o.path for o in Org.objects.get_children(Org.objects.get(pk=tree.town_a.pk)))
    rows = [
        {"name": "中共甲镇三村总支部委员会", "code": "B001", "org_type": OrgType.GENERAL_BRANCH, "established_on": D,
         "parent": tree.town_a, "category": "rural"},
        {"name": "中共甲镇三村第一支部委员会", "code": "B002", "org_type": OrgType.BRANCH, "established_on": D, "parent": "B001",
         "contact_name": "张"},
        {"name": "中共甲镇三村第二支部委员会", "code": "B003", "org_type": OrgType.BRANCH, "established_on": D, "parent": "B001"},
        {"name": "第一党小组", "code": "B004", "org_type": OrgType.PARTY_GROUP, "established_on": D, "parent": "B002"},
        {"name": "中共甲镇四村支部委员会", "code": "B005", "org_type": OrgType.BRANCH, "established_on": D, "parent": tree.town_a},
        {"name": "中共甲镇一村第二党小组", "code": "B006", "org_type": OrgType.PARTY_GROUP, "established_on": D,
         "parent": tree.village_a1},
    ]
    before = row_counts()
    created = orgs_bulk_create(actor=actor, rows=rows, doc_number="台账导入")
    assert list(created) == ["B001", "B002", "B003", "B004", "B005", "B006"]
    assert row_counts()["Org"] == before["Org"] + 6
    assert row_counts()["OrgEvent"] == before["OrgEvent"] + 6
    assert row_counts()["AuditEvent"] == before["AuditEvent"] + 6
    general, first, second, group = (Org.objects.get(code=c) for c in ("B001", "B002", "B003", "B004"))
    # the new children of 甲镇 come after its existing last child, in the rows' order
    assert general.path > last_child_before and Org.objects.get(code="B005").path > general.path
    assert Org.objects.get_parent(general) == tree.town_a
    assert Org.objects.get_parent(first) == general and Org.objects.get_parent(second) == general
    assert Org.objects.get_parent(group) == first
    assert Org.objects.get_parent(Org.objects.get(code="B006")) == tree.village_a1
    assert [o.code for o in Org.objects.get_children(general)] == ["B002", "B003"]
    assert general.numchild == 2 and first.numchild == 1 and group.numchild == 0
    assert {o.county_id for o in created.values()} == {tree.county.pk}
    assert general.category == "rural" and first.contact_name == "张" and general.version == 1
    check_tree()
    # The events and audit rows are those org_create writes for one organization.
    ev = OrgEvent.objects.get(org=first)
    assert ev.kind == OrgEventKind.ESTABLISHED and ev.date == D and ev.doc_number == "台账导入"
    assert ev.changes == {"name": first.name, "org_type": OrgType.BRANCH} and ev.recorded_by == actor
    one = org_create(actor=actor, parent=general, name="中共甲镇三村第三支部委员会", code="B007", org_type=OrgType.BRANCH,
                     established_on=D, contact_name="张")
    single = AuditEvent.objects.get(action="org.create", target_id=str(one.pk))
    bulk = AuditEvent.objects.get(action="org.create", target_id=str(first.pk))
    assert bulk.changes == {**single.changes, "name": [None, first.name], "code": [None, "B002"]}
    assert (bulk.actor, bulk.actor_name, bulk.org_id, bulk.org_path, bulk.target_type, bulk.target_label) == (
        actor, "甲镇组织委员", first.pk, first.path, "orgs.org", first.name)
    assert one.path > second.path  # org_create continues after the bulk-created children
    check_tree()


def test_bulk_create_refuses_what_org_create_refuses_and_writes_nothing(tree):
    actor = tree.users["township_organizer"]

    def rows(**change):
        return [{"name": "中共甲镇三村总支部委员会", "code": "C001", "org_type": OrgType.GENERAL_BRANCH, "established_on": D,
                 "parent": tree.town_a},
                {"name": "中共甲镇三村第一支部委员会", "code": "C002", "org_type": OrgType.BRANCH, "established_on": D,
                 "parent": "C001", **change}]

    labels = dict(OrgType.choices)
    assert_rejected(lambda: orgs_bulk_create(actor=actor, rows=rows(org_type=OrgType.TOWNSHIP_COMMITTEE)),
                    org_rules.CHILD_NOT_ALLOWED.format(parent=labels["general_branch"], child=labels["township_committee"]))
    assert_rejected(lambda: orgs_bulk_create(actor=actor, rows=rows(code=tree.village_a2.code)),
                    CODE_TAKEN.format(code=tree.village_a2.code, name=tree.village_a2.name))
    assert_rejected(lambda: orgs_bulk_create(actor=actor, rows=rows(code="C001")),
                    CODE_TAKEN.format(code="C001", name="中共甲镇三村总支部委员会"))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert_rejected(lambda: orgs_bulk_create(actor=actor, rows=rows(established_on=tomorrow)),
                    org_rules.FUTURE_DATE.format(date=timezone.localdate()))
    before = row_counts()
    with pytest.raises(NotPermitted):  # 乙镇 is outside the township organizer's scope
        orgs_bulk_create(actor=actor, rows=[{**rows()[0], "parent": tree.town_b}])
    with pytest.raises(NotPermitted) as info:  # a branch secretary may set up party groups only
        orgs_bulk_create(actor=tree.users["branch_secretary"], rows=[{**rows()[1], "parent": tree.village_a1}])
    assert str(info.value) == account_rules.STRUCTURE_NEEDS_HIGHER
    assert row_counts() == before
    check_tree()


ORGS_HEADER = ["党组织全称", "党组织编码", "上级党组织", "组织类别", "组织类型", "成立日期", "联系人"]


def test_an_organizations_file_goes_in_whole_and_a_reimport_changes_nothing(tree, tmp_path):
    user = tree.users["township_organizer"]
    rows = [ORGS_HEADER]
    # children listed before their parents: the import orders them
    for g in range(3):
        for b in range(4):
            rows.append([f"中共甲镇{g}村第{b}支部委员会", f"G{g}B{b}", f"G{g}", "农村", "党支部", "2020-01-01", ""])
        rows.append([f"中共甲镇{g}村总支部委员会", f"G{g}", "中共甲镇委员会", "农村", "党总支", "2019-01-01", f"联系人{g}"])
    path = write_xlsx(tmp_path / "orgs.xlsx", {"党组织": rows})
    before = row_counts()
    job = services.import_file(actor=user, path=path)
    assert job.status == ImportJob.Status.COMMITTED, job.message
    assert job.counts["orgs_new"] == 15
    after = row_counts()
    assert after["Org"] == before["Org"] + 15 and after["OrgEvent"] == before["OrgEvent"] + 15
    assert after["AuditEvent"] == before["AuditEvent"] + 15 + 1  # one per organization and the import's own
    check_tree()
    for g in range(3):
        general = Org.objects.get(code=f"G{g}")
        assert Org.objects.get_parent(general) == tree.town_a and general.contact_name == f"联系人{g}"
        assert sorted(o.code for o in Org.objects.get_children(general)) == [f"G{g}B{b}" for b in range(4)]
    job = services.import_file(actor=user, path=path)
    assert job.status == ImportJob.Status.COMMITTED
    assert job.counts["orgs_unchanged"] == 15 and "orgs_new" not in job.counts
    assert row_counts() == {**after, "AuditEvent": after["AuditEvent"] + 1}
    check_tree()
