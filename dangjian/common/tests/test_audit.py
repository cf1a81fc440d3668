"""Audit events: written in the change's transaction, and append-only from every path — the model,
the queryset, and raw SQL (a database trigger on SQLite and on PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from dangjian.common.audit import audit_record, diff
from dangjian.common.middleware import current_ip
from dangjian.common.models import AUDIT_IMMUTABLE, AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(tree):
    with transaction.atomic():
        return audit_record(
            actor=tree.users["county_admin"], action="test.write", org=tree.village_a1, target=tree.member_a1,
            changes={"name": ["甲", "乙"]}, reason="测试",
        )


def test_record_holds_who_what_where_and_old_to_new(tree, event):
    e = AuditEvent.objects.get(pk=event.pk)
    assert e.actor == tree.users["county_admin"]
    assert e.actor_name == "县管理员"
    assert e.org == tree.village_a1
    assert e.org_path == tree.village_a1.path
    assert e.action == "test.write"
    assert (e.target_type, e.target_id, e.target_label) == ("members.member", str(tree.member_a1.pk), "李明")
    assert e.changes == {"name": ["甲", "乙"]}
    assert e.reason == "测试"
    assert e.at is not None


def test_system_actor_and_request_address():
    token = current_ip.set("10.1.2.3")
    try:
        with transaction.atomic():
            e = audit_record(actor=None, action="system.test")
    finally:
        current_ip.reset(token)
    assert e.actor_name == "系统"
    assert e.ip == "10.1.2.3"
    assert e.org is None and e.org_path == ""


def test_record_outside_a_transaction_is_refused(monkeypatch):
    # Under pytest-django every test runs inside an atomic block, so simulate autocommit.
    monkeypatch.setattr(transaction.get_connection(), "in_atomic_block", False)
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x")


def test_diff_lists_only_changed_fields_as_plain_values():
    old = {"a": 1, "b": dt.date(2020, 1, 1), "c": Decimal("1.50")}
    new = {"a": 1, "b": dt.date(2021, 1, 1), "c": Decimal("1.50"), "d": "新"}
    assert diff(old, new) == {"b": ["2020-01-01", "2021-01-01"], "d": [None, "新"]}


def test_model_refuses_update_and_delete(event):
    event.reason = "改写"
    with pytest.raises(AppendOnlyError) as info:
        event.save()
    assert str(info.value) == AUDIT_IMMUTABLE
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "测试"


def test_queryset_refuses_update_and_delete(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="改写")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk, reason="测试").exists()


def _ensure_trigger_armed():
    if connection.vendor == "sqlite":
        # The lock row is 1 from migration 0002; only test teardown that must empty the database
        # lowers it. Arm it here (inside this test's transaction) so the test does not depend on order.
        with connection.cursor() as c:
            c.execute("UPDATE dangjian_audit_lock SET value = 1")


@pytest.mark.parametrize(
    "sql",
    ["UPDATE common_auditevent SET reason = 'forged' WHERE id = %s", "DELETE FROM common_auditevent WHERE id = %s"],
)
def test_raw_sql_update_and_delete_are_refused_by_the_database(event, sql):
    _ensure_trigger_armed()
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, [event.pk])
    assert "append-only" in str(info.value)
    assert AuditEvent.objects.filter(pk=event.pk, reason="测试").exists()


def test_raw_sql_insert_is_still_allowed(event):
    # Append-only, not read-only: the trigger must not block new rows.
    _ensure_trigger_armed()
    before = AuditEvent.objects.count()
    with transaction.atomic():
        audit_record(actor=None, action="another")
    assert AuditEvent.objects.count() == before + 1


def test_a_failing_audit_write_rolls_back_the_change_it_records(tree, monkeypatch):
    """The audit row and the change are one transaction: if the audit cannot be written, the change
    is not made either."""
    from dangjian.common.tests.helpers import row_counts
    from dangjian.members import services as member_services
    from dangjian.members.models import Member
    from dangjian.orgs import services as org_services

    def broken(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(member_services, "audit_record", broken)
    monkeypatch.setattr(org_services, "audit_record", broken)
    member = Member.objects.get(pk=tree.member_a1.pk)
    before = row_counts()
    with pytest.raises(DatabaseError):
        member_services.member_update(actor=tree.users["county_admin"], member=member, version=member.version, job="新岗位")
    with pytest.raises(DatabaseError):
        member_services.member_add_event(actor=None, member=member, kind="went_mobile", date=dt.date(2024, 1, 1))
    with pytest.raises(DatabaseError):
        org_services.org_create(actor=None, parent=tree.town_a, name="新支部", code="AUD1", org_type="branch",
                                established_on=dt.date(2024, 1, 1))
    assert row_counts() == before
    member = Member.objects.get(pk=tree.member_a1.pk)
    assert (member.job, member.is_mobile) == ("", False)
