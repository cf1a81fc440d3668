"""Writes to the organization tree: each with its OrgEvent and one AuditEvent; bad input refused in
Chinese with nothing half-written; concurrent edits refused instead of silently overwritten."""

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.common.errors import CONFLICT, ConflictError, NotPermitted
from dangjian.common.models import AuditEvent
from dangjian.common.tests.helpers import assert_rejected, row_counts
from dangjian.members import rules as member_rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.orgs import rules, services
from dangjian.orgs.models import Org, OrgEvent, OrgEventKind, OrgType
from dangjian.testing import make_member, make_org

pytestmark = pytest.mark.django_db

D = dt.date(2024, 5, 1)
LABELS = dict(OrgType.choices)


def tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def future_message():
    return rules.FUTURE_DATE.format(date=timezone.localdate())


def fresh(org):
    return Org.objects.get(pk=org.pk)


def one_new_audit(before, action):
    new = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in new] == [action]
    return new[0]


# --- create ------------------------------------------------------------------------------------


def test_create_under_a_township(tree):
    actor = tree.users["township_organizer"]
    n = AuditEvent.objects.count()
    org = services.org_create(actor=actor, parent=tree.town_a, name=" 中共甲镇三村支部委员会 ", code="X1",
                              org_type="branch", established_on=D, doc_number="甲组〔2024〕1号",
                              category="rural", committee_size=3)
    assert org.name == "中共甲镇三村支部委员会"
    assert Org.objects.get_parent(org) == tree.town_a
    assert org.path.startswith(tree.town_a.path) and org.depth == tree.town_a.depth + 1
    assert org.county == tree.county
    (ev,) = OrgEvent.objects.filter(org=org)
    assert (ev.kind, ev.date, ev.doc_number, ev.recorded_by) == (OrgEventKind.ESTABLISHED, D, "甲组〔2024〕1号", actor)
    audit = one_new_audit(n, "org.create")
    assert audit.actor == actor and audit.org == org
    assert audit.changes["name"] == [None, "中共甲镇三村支部委员会"]
    assert audit.changes["established_on"] == [None, "2024-05-01"]


def test_create_bad_input_is_refused_in_chinese_with_nothing_written(tree):
    actor = tree.users["county_admin"]

    def create(**kw):
        args = dict(actor=actor, parent=tree.town_a, name="新支部", code="NEW1", org_type="branch", established_on=D)
        args.update(kw)
        return lambda: services.org_create(**args)

    assert_rejected(create(name="  "), services.NAME_REQUIRED, field="name")
    assert_rejected(create(established_on=tomorrow()), future_message(), field="date")
    assert_rejected(create(code=tree.village_a1.code),
             services.CODE_TAKEN.format(code=tree.village_a1.code, name=tree.village_a1.name), field="code")
    assert_rejected(create(org_type="township_committee"),
             rules.CHILD_NOT_ALLOWED.format(parent=LABELS["township_committee"], child=LABELS["township_committee"]))
    assert_rejected(create(parent=tree.village_a1, org_type="branch"),
             rules.CHILD_NOT_ALLOWED.format(parent=LABELS["branch"], child=LABELS["branch"]), field="org_type")


def test_create_under_a_dissolved_parent(tree):
    actor = tree.users["county_admin"]
    services.org_dissolve(actor=actor, org=tree.village_a2, date=D, doc_number="撤1")
    parent = fresh(tree.village_a2)
    assert_rejected(
        lambda: services.org_create(actor=actor, parent=parent, name="党小组", code="G1", org_type="party_group",
                                    established_on=dt.date(2024, 6, 1)),
        rules.PARENT_DISSOLVED.format(name=parent.name, date=D), field="parent",
    )
    # Before the dissolution date the parent still existed: a late entry of history is fine.
    services.org_create(actor=actor, parent=parent, name="党小组", code="G1", org_type="party_group",
                        established_on=dt.date(2024, 4, 1))


def test_create_outside_scope_or_read_only_is_not_permitted(tree):
    for role, parent in (("township_organizer", tree.town_b), ("inspector", tree.town_a), ("member", tree.town_a)):
        before = row_counts()
        with pytest.raises(NotPermitted):
            services.org_create(actor=tree.users[role], parent=parent, name="x", code="N1", org_type="branch", established_on=D)
        assert row_counts() == before
    with pytest.raises(NotPermitted):
        services.org_create(actor=tree.users["township_organizer"], parent=None, name="新县委", code="N2",
                            org_type="county_committee", established_on=D)


def test_create_rejects_unknown_fields(tree):
    with pytest.raises(TypeError):
        services.org_create(actor=None, parent=tree.town_a, name="x", code="N1", org_type="branch", established_on=D, path="0001")


# --- update and concurrent edits -----------------------------------------------------------------


def test_update_plain_fields_records_old_and_new(tree):
    org = fresh(tree.village_a2)
    n = AuditEvent.objects.count()
    services.org_update(actor=tree.users["township_organizer"], org=org,
                        version=org.version, secretary_name="赵书记", committee_size=5)
    org = fresh(org)
    assert (org.secretary_name, org.committee_size, org.version) == ("赵书记", 5, 2)
    audit = one_new_audit(n, "org.update")
    assert audit.changes == {"secretary_name": ["", "赵书记"], "committee_size": [0, 5]}


def test_two_people_editing_the_same_organization(tree):
    first_view = fresh(tree.village_a1)
    second_view = fresh(tree.village_a1)
    services.org_update(actor=tree.users["township_organizer"], org=first_view, version=first_view.version,
                        contact_phone="0123-1234567")
    before = row_counts()
    with pytest.raises(ConflictError) as info:
        services.org_update(actor=tree.users["county_admin"], org=second_view, version=second_view.version,
                            contact_phone="0123-7654321")
    assert str(info.value) == CONFLICT
    assert info.value.messages == [CONFLICT]
    assert row_counts() == before
    assert fresh(tree.village_a1).contact_phone == "0123-1234567"


def test_update_refuses_fields_that_have_their_own_events(tree):
    org = fresh(tree.village_a1)
    for field in ("name", "org_type", "dissolved_on", "path"):
        with pytest.raises(TypeError):
            services.org_update(actor=tree.users["county_admin"], org=org, version=org.version, **{field: "x"})


def test_update_outside_scope_is_not_permitted(tree):
    org = fresh(tree.village_b1)
    with pytest.raises(NotPermitted):
        services.org_update(actor=tree.users["township_organizer"], org=org, version=org.version, secretary_name="x")
    with pytest.raises(NotPermitted):
        services.org_update(actor=tree.users["inspector"], org=fresh(tree.village_a1), version=1, secretary_name="x")
    assert fresh(tree.village_b1).secretary_name == ""


# --- rename ----------------------------------------------------------------------------------------


def test_rename_keeps_history(tree):
    org = fresh(tree.village_a1)
    n = AuditEvent.objects.count()
    services.org_rename(actor=tree.users["township_organizer"], org=org, name="中共甲镇一社区支部委员会",
                        short_name="一社区支部", date=D, doc_number="甲组〔2024〕9号")
    org = fresh(org)
    assert org.name == "中共甲镇一社区支部委员会" and org.short_name == "一社区支部"
    ev = OrgEvent.objects.get(org=org, kind=OrgEventKind.RENAMED)
    assert ev.changes["name"] == ["中共甲镇一村支部委员会", "中共甲镇一社区支部委员会"]
    assert (ev.date, ev.doc_number) == (D, "甲组〔2024〕9号")
    assert one_new_audit(n, "org.rename").changes == ev.changes


def test_rename_bad_input(tree):
    org = fresh(tree.village_a1)
    actor = tree.users["county_admin"]
    assert_rejected(lambda: services.org_rename(actor=actor, org=org, name="", date=D, doc_number="1"), services.NAME_REQUIRED)
    assert_rejected(lambda: services.org_rename(actor=actor, org=org, name="新名", date=tomorrow(), doc_number="1"), future_message())
    assert_rejected(lambda: services.org_rename(actor=actor, org=org, name="新名", date=dt.date(1999, 12, 31), doc_number="1"),
             rules.DATE_BEFORE_ESTABLISHED.format(date=dt.date(1999, 12, 31), established=org.established_on), field="date")
    assert fresh(org).name == "中共甲镇一村支部委员会"


# --- type change -----------------------------------------------------------------------------------


def test_branch_upgraded_to_general_branch_and_back(tree):
    actor = tree.users["township_organizer"]
    org = fresh(tree.village_a1)
    services.org_change_type(actor=actor, org=org, org_type="general_branch", date=D, doc_number="升1")
    assert fresh(org).org_type == "general_branch"
    # A general branch may have branches under it, and keeps its members.
    sub = make_org(fresh(org), "一村第一支部", "branch")
    assert Member.objects.get(pk=tree.member_a1.pk).org == org
    # While that branch is active it cannot become a branch again...
    assert_rejected(lambda: services.org_change_type(actor=actor, org=fresh(org), org_type="branch", date=dt.date(2024, 6, 1),
                                              doc_number="降1"),
             rules.CHILD_NOT_ALLOWED.format(parent=LABELS["branch"], child=LABELS["branch"]), field="org_type")
    # ...after it is dissolved it can.
    services.org_dissolve(actor=actor, org=sub, date=dt.date(2024, 6, 1), doc_number="撤")
    n = AuditEvent.objects.count()
    services.org_change_type(actor=actor, org=fresh(org), org_type="branch", date=dt.date(2024, 7, 1), doc_number="降1")
    assert fresh(org).org_type == "branch"
    events = list(OrgEvent.objects.filter(org=org, kind=OrgEventKind.TYPE_CHANGED).values_list("changes", flat=True))
    assert events == [{"org_type": ["branch", "general_branch"]}, {"org_type": ["general_branch", "branch"]}]
    assert one_new_audit(n, "org.change_type").changes == {"org_type": ["general_branch", "branch"]}


def test_type_change_that_the_tree_does_not_allow(tree):
    actor = tree.users["county_admin"]
    make_org(tree.village_a1, "一村党小组", "party_group")
    org = fresh(tree.village_a1)
    # A branch with a party group cannot become a general branch (党小组 sits under a branch).
    assert_rejected(lambda: services.org_change_type(actor=actor, org=org, org_type="general_branch", date=D, doc_number="1"),
             rules.CHILD_NOT_ALLOWED.format(parent=LABELS["general_branch"], child=LABELS["party_group"]))
    # Under a township, a branch cannot become a township committee.
    assert_rejected(lambda: services.org_change_type(actor=actor, org=fresh(tree.village_a2), org_type="township_committee",
                                              date=D, doc_number="1"),
             rules.CHILD_NOT_ALLOWED.format(parent=LABELS["township_committee"], child=LABELS["township_committee"]))


def test_organization_with_members_cannot_become_one_that_holds_none(tree):
    actor = tree.users["county_admin"]
    county_branch = make_org(tree.county, "县直机关支部", "branch")
    make_member(county_branch, name="周强")
    assert_rejected(lambda: services.org_change_type(actor=actor, org=fresh(county_branch), org_type="township_committee",
                                              date=D, doc_number="1"),
             rules.NOT_HOLDING_MEMBERS.format(type=LABELS["township_committee"]), field="org_type")


# --- move --------------------------------------------------------------------------------------------


def test_move_a_branch_to_another_township_takes_its_members_along(tree):
    actor = tree.users["county_admin"]
    make_member(tree.village_a2, name="钱多")
    make_org(tree.village_a2, "二村党小组", "party_group")
    n = AuditEvent.objects.count()
    services.org_move(actor=actor, org=fresh(tree.village_a2), new_parent=fresh(tree.town_b), date=D, doc_number="调1")
    org = fresh(tree.village_a2)
    assert Org.objects.get_parent(org) == fresh(tree.town_b)
    assert [c.name for c in Org.objects.get_children(org)] == ["二村党小组"]
    ev = OrgEvent.objects.get(org=org, kind=OrgEventKind.MOVED)
    assert ev.other_org == tree.town_b
    assert ev.changes == {"parent": ["中共甲镇委员会", "中共乙镇委员会"]}
    assert one_new_audit(n, "org.move").changes == ev.changes
    # The member now lies in 乙镇's subtree, and the 甲镇 organizer no longer sees the branch.
    from dangjian.accounts.selectors import scope_for

    assert not scope_for(tree.users["township_organizer"]).contains_path(org.path)
    assert Member.objects.get(name="钱多").org.path.startswith(fresh(tree.town_b).path)


def test_move_under_itself_or_its_own_descendant_is_refused(tree):
    actor = tree.users["county_admin"]
    group = make_org(tree.village_a1, "一村党小组", "party_group")
    town = fresh(tree.town_a)
    for target in (fresh(tree.village_a1), fresh(group), town):
        assert_rejected(lambda target=target: services.org_move(actor=actor, org=town, new_parent=target, date=D, doc_number="1"),
                 rules.MOVE_UNDER_SELF, field="parent")
    assert fresh(tree.town_a).path == town.path


def test_move_under_a_dissolved_or_unsuitable_parent(tree):
    actor = tree.users["county_admin"]
    services.org_dissolve(actor=actor, org=fresh(tree.village_a2), date=D, doc_number="撤")
    gone = fresh(tree.village_a2)
    group = make_org(tree.village_a1, "一村党小组", "party_group")
    assert_rejected(lambda: services.org_move(actor=actor, org=fresh(group), new_parent=gone, date=dt.date(2024, 6, 1),
                                       doc_number="1"),
             rules.PARENT_DISSOLVED.format(name=gone.name, date=D), field="parent")
    assert_rejected(lambda: services.org_move(actor=actor, org=fresh(tree.village_b1), new_parent=fresh(tree.village_a1), date=D,
                                       doc_number="1"),
             rules.CHILD_NOT_ALLOWED.format(parent=LABELS["branch"], child=LABELS["branch"]))


def test_township_organizer_cannot_move_outside_the_township(tree):
    with pytest.raises(NotPermitted):
        services.org_move(actor=tree.users["township_organizer"], org=fresh(tree.village_a2),
                          new_parent=fresh(tree.town_b), date=D, doc_number="1")
    assert Org.objects.get_parent(fresh(tree.village_a2)) == tree.town_a


# --- dissolve ----------------------------------------------------------------------------------------


def test_dissolving_an_organization_that_still_has_members_is_refused(tree):
    org = fresh(tree.village_a1)
    assert_rejected(lambda: services.org_dissolve(actor=tree.users["county_admin"], org=org, date=D, doc_number="撤"),
             rules.DISSOLVE_WITH_MEMBERS.format(name=org.name, count=1))
    assert fresh(org).dissolved_on is None


def test_backdated_dissolution_is_refused_while_the_history_places_members_there(tree):
    """Empty today, but a member was in 二村 until 2024-03-01 (or came in after the date): dissolving
    it as of 2024-01-01 would contradict the roster of those dates."""
    from dangjian.members.services import member_transfer

    admin = tree.users["county_admin"]
    m = Member.objects.get(pk=tree.member_a1.pk)
    member_transfer(actor=admin, member=m, to_org=tree.village_a2, date=dt.date(2023, 6, 1), letter_number="L1")
    member_transfer(actor=admin, member=Member.objects.get(pk=m.pk), to_org=tree.village_a1, date=dt.date(2024, 3, 1),
                    letter_number="L2")
    org = fresh(tree.village_a2)
    assert not org.members.exists()
    for date in (dt.date(2023, 1, 1), dt.date(2024, 1, 1)):  # in the organization after / on the date
        assert_rejected(lambda date=date: services.org_dissolve(actor=admin, org=org, date=date, doc_number="撤"),
                 rules.DISSOLVE_WITH_LATER_MEMBERS.format(date=date, name=org.name, count=1))
    assert fresh(org).dissolved_on is None
    services.org_dissolve(actor=admin, org=org, date=dt.date(2024, 3, 1), doc_number="撤")  # the day they left
    assert fresh(org).dissolved_on == dt.date(2024, 3, 1)


def test_dissolving_with_active_suborganizations_is_refused(tree):
    town = fresh(tree.town_b)
    services.org_dissolve(actor=tree.users["county_admin"], org=fresh(tree.village_a2), date=D, doc_number="撤")
    assert_rejected(lambda: services.org_dissolve(actor=tree.users["county_admin"], org=fresh(tree.town_a), date=D, doc_number="撤"),
             rules.DISSOLVE_WITH_CHILDREN.format(name="中共甲镇委员会", count=1))
    assert town.dissolved_on is None


def test_dissolve_an_empty_branch_once(tree):
    actor = tree.users["township_organizer"]
    n = AuditEvent.objects.count()
    services.org_dissolve(actor=actor, org=fresh(tree.village_a2), date=D, doc_number="甲组〔2024〕3号", note="村撤并")
    org = fresh(tree.village_a2)
    assert org.dissolved_on == D and not org.is_active
    ev = OrgEvent.objects.get(org=org, kind=OrgEventKind.DISSOLVED)
    assert (ev.doc_number, ev.note) == ("甲组〔2024〕3号", "村撤并")
    assert one_new_audit(n, "org.dissolve").changes == {"dissolved_on": [None, "2024-05-01"]}
    assert_rejected(lambda: services.org_dissolve(actor=actor, org=org, date=D, doc_number="again"),
             rules.ORG_DISSOLVED.format(name=org.name, date=D))
    assert Org.objects.filter(pk=org.pk).exists()  # never deleted


def test_organizations_are_never_deleted(tree):
    with pytest.raises(RuntimeError):
        fresh(tree.village_a2).delete()
    assert Org.objects.filter(pk=tree.village_a2.pk).exists()


# --- merge -------------------------------------------------------------------------------------------


def test_merge_transfers_members_moves_suborganizations_and_dissolves(tree):
    actor = tree.users["township_organizer"]
    m = make_member(tree.village_a2, name="孙丽", sex="2", birth_date=dt.date(1992, 2, 2))
    group = make_org(tree.village_a2, "二村党小组", "party_group")
    n = AuditEvent.objects.count()
    services.org_merge(actor=actor, org=fresh(tree.village_a2), into=fresh(tree.village_a1), date=D, doc_number="并1")
    gone = fresh(tree.village_a2)
    assert gone.dissolved_on == D
    m.refresh_from_db()
    assert m.org == tree.village_a1 and m.status == member_rules.FULL
    t = MembershipEvent.objects.get(member=m, kind=member_rules.TRANSFER)
    assert (t.from_org, t.to_org, t.date) == (gone, tree.village_a1, D)
    assert Org.objects.get_parent(fresh(group)) == fresh(tree.village_a1)
    kinds = list(OrgEvent.objects.filter(org=gone).order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [OrgEventKind.MERGED, OrgEventKind.DISSOLVED]
    assert OrgEvent.objects.get(org=gone, kind=OrgEventKind.MERGED).other_org == tree.village_a1
    actions = list(AuditEvent.objects.order_by("id")[n:].values_list("action", flat=True))
    assert sorted(actions) == sorted(["member.event.transfer", "org.move", "org.dissolve", "org.merge"])
    merge = AuditEvent.objects.get(action="org.merge")
    assert merge.actor == actor and merge.org == gone
    assert merge.changes["into"] == [None, tree.village_a1.name]


def test_merge_into_itself_its_descendant_or_a_dissolved_organization(tree):
    actor = tree.users["county_admin"]
    group = make_org(tree.village_a1, "一村党小组", "party_group")
    org = fresh(tree.village_a1)
    assert_rejected(lambda: services.org_merge(actor=actor, org=org, into=org, date=D, doc_number="1"), rules.MERGE_INTO_SELF)
    assert_rejected(lambda: services.org_merge(actor=actor, org=org, into=fresh(group), date=D, doc_number="1"), rules.MERGE_INTO_SELF)
    services.org_dissolve(actor=actor, org=fresh(tree.village_a2), date=D, doc_number="撤")
    gone = fresh(tree.village_a2)
    assert_rejected(lambda: services.org_merge(actor=actor, org=org, into=gone, date=dt.date(2024, 6, 1), doc_number="1"),
             rules.ORG_DISSOLVED.format(name=gone.name, date=D), field="into")
    assert Member.objects.get(pk=tree.member_a1.pk).org == org


def test_merge_that_fails_half_way_leaves_nothing(tree):
    """The members transfer first; a later refusal (a party group cannot sit under a general branch)
    must roll those transfers back too."""
    actor = tree.users["county_admin"]
    make_org(tree.village_a1, "一村党小组", "party_group")
    make_member(tree.village_a1, name="周一")
    general = make_org(tree.town_a, "甲镇机关党总支", "general_branch")
    org = fresh(tree.village_a1)
    assert_rejected(lambda: services.org_merge(actor=actor, org=org, into=fresh(general), date=D, doc_number="1"),
             rules.CHILD_NOT_ALLOWED.format(parent=LABELS["general_branch"], child=LABELS["party_group"]))
    assert Member.objects.filter(org=org).count() == 2
    assert fresh(org).dissolved_on is None


def test_move_into_another_county_moves_the_county_column_with_it(tree):
    """The county column (the distribution column on the Citus path) follows the subtree."""
    other = make_org(None, "中共邻县委员会", "county_committee")
    other_town = make_org(other, "中共邻县某镇委员会", "township_committee")
    from dangjian.accounts.models import Role
    from dangjian.accounts.services import user_create

    both = user_create(actor=None, username="both", password="x-Password-1", role=Role.COUNTY_ADMIN,
                       orgs=[tree.county, other])
    services.org_move(actor=both, org=fresh(tree.village_a1), new_parent=other_town, date=D, doc_number="调2")
    assert fresh(tree.village_a1).county == other
    assert Member.objects.get(pk=tree.member_a1.pk).county == other


def test_merge_takes_suspended_members_along(tree):
    actor = tree.users["county_admin"]
    from dangjian.members.services import member_add_event

    member_add_event(actor=actor, member=tree.member_a1, kind=member_rules.SUSPEND, date=dt.date(2024, 1, 2))
    services.org_merge(actor=actor, org=fresh(tree.village_a1), into=fresh(tree.village_a2), date=D, doc_number="并1")
    m = Member.objects.get(pk=tree.member_a1.pk)
    assert m.org == tree.village_a2
    assert m.status == member_rules.SUSPENDED
    assert fresh(tree.village_a1).dissolved_on == D


# --- optimistic locking on the event services --------------------------------------------------------


def test_rename_from_a_stale_object_keeps_a_short_name_saved_meanwhile(tree):
    admin = tree.users["county_admin"]
    stale = fresh(tree.village_a1)
    services.org_update(actor=admin, org=fresh(stale), version=stale.version, short_name="一村新简称")
    org = services.org_rename(actor=admin, org=stale, name="中共甲镇一村委员会", date=D, doc_number="更1")
    assert (fresh(org).name, fresh(org).short_name, fresh(org).version) == ("中共甲镇一村委员会", "一村新简称", 3)


@pytest.mark.parametrize("service", ["rename", "change_type", "move", "dissolve", "merge"])
def test_event_services_refuse_a_stale_version(tree, service):
    admin = tree.users["county_admin"]
    org = fresh(tree.village_a2)
    loaded = org.version
    services.org_update(actor=admin, org=org, version=loaded, contact_name="别人刚改的")
    calls = {
        "rename": lambda: services.org_rename(actor=admin, org=org, name="新名", date=D, doc_number="x", version=loaded),
        "change_type": lambda: services.org_change_type(actor=admin, org=org, org_type=OrgType.GENERAL_BRANCH, date=D,
                                                        doc_number="x", version=loaded),
        "move": lambda: services.org_move(actor=admin, org=org, new_parent=tree.town_b, date=D, doc_number="x",
                                          version=loaded),
        "dissolve": lambda: services.org_dissolve(actor=admin, org=org, date=D, doc_number="x", version=loaded),
        "merge": lambda: services.org_merge(actor=admin, org=org, into=tree.village_a1, date=D, doc_number="x",
                                            version=loaded),
    }
    with pytest.raises(ConflictError):
        calls[service]()
    after = fresh(org)
    assert (after.name, after.org_type, after.dissolved_on, after.version) == (org.name, org.org_type, None, loaded + 1)


def test_event_services_bump_the_version_in_the_database_not_in_memory(tree):
    admin = tree.users["county_admin"]
    stale = fresh(tree.village_a2)
    services.org_update(actor=admin, org=fresh(stale), version=stale.version, contact_name="甲")  # now version 2
    services.org_dissolve(actor=admin, org=stale, date=D, doc_number="撤")
    assert fresh(stale).version == 3


# --- structural changes need the higher organization (R3.12, R3.3) ----------------------------------


def test_a_branch_secretary_cannot_restructure_their_own_branch(tree):
    sec = tree.users["branch_secretary"]  # assigned to 一村
    org = fresh(tree.village_a1)
    calls = [
        lambda: services.org_rename(actor=sec, org=org, name="改名", date=D, doc_number="x"),
        lambda: services.org_change_type(actor=sec, org=org, org_type=OrgType.GENERAL_BRANCH, date=D, doc_number="x"),
        lambda: services.org_dissolve(actor=sec, org=org, date=D, doc_number="x"),
        lambda: services.org_create(actor=sec, parent=org, name="下设支部", code="S1", org_type="branch", established_on=D),
    ]
    for call in calls:
        before = row_counts()
        with pytest.raises(NotPermitted):
            call()
        assert row_counts() == before
    # ...but sets up and dissolves its own party groups, and edits its plain attributes.
    group = services.org_create(actor=sec, parent=org, name="第一党小组", code="G9", org_type="party_group", established_on=D)
    services.org_dissolve(actor=sec, org=group, date=D, doc_number="撤")
    services.org_update(actor=sec, org=org, version=fresh(org).version, contact_phone="0571-1234567", committee_size=5)


def test_a_township_organizer_restructures_villages_but_not_the_township(tree):
    town = tree.users["township_organizer"]
    services.org_rename(actor=town, org=fresh(tree.village_a2), name="中共甲镇二村委员会", date=D, doc_number="x")
    with pytest.raises(NotPermitted):
        services.org_rename(actor=town, org=fresh(tree.town_a), name="中共甲街道工委", date=D, doc_number="x")
    with pytest.raises(NotPermitted):
        services.org_dissolve(actor=town, org=fresh(tree.town_a), date=D, doc_number="x")


def test_a_county_administrator_renames_the_root_but_creates_no_new_root(tree):
    admin = tree.users["county_admin"]
    services.org_rename(actor=admin, org=fresh(tree.county), name="中共示范市委员会", date=D, doc_number="x")
    with pytest.raises(NotPermitted):
        services.org_dissolve(actor=admin, org=fresh(tree.county), date=D, doc_number="x")
    with pytest.raises(NotPermitted):
        services.org_create(actor=admin, parent=None, name="中共他县委员会", code="R2", org_type="county_committee",
                            established_on=D)
