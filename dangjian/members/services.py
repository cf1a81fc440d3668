"""Writes to the member roster. Each service validates everything first, then writes in one
transaction together with its audit event. Membership changes only through events: every change
replays the member's whole event list through rules.replay, so an event entered late is still
checked against everything after it, and the cached state on Member is always the replayed one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.selectors import require_writer, scope_for
from dangjian.common import crypto, idnumbers
from dangjian.common.audit import audit_record, diff
from dangjian.common.errors import ConflictError, NotPermitted, ServiceError
from dangjian.members import codes, rules
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.pinyin import name_keys
from dangjian.orgs import rules as org_rules
from dangjian.orgs.models import Org, OrgType

ID_TAKEN = "公民身份号码已存在：该党员已在系统中（{where}），请勿重复录入。"
ID_TAKEN_RETURN = (
    "公民身份号码已存在：该党员的记录在“{where}”（{status}）。转回本县或重新入党的，请打开该党员的记录，"
    "录入“从外单位转入”或“接收为预备党员”，不要新建记录。"
)
NAME_REQUIRED = "请填写姓名。"
PHONE_FORMAT = "手机号码应为11位数字，以1开头。"
CHOICE_INVALID = "“{value}”不是有效的{field}。"
ORG_INACTIVE = "不能转入已撤销的党组织“{name}”（{date}撤销）。"
ORG_NOT_HOLDING = org_rules.NOT_HOLDING_MEMBERS
ORG_REQUIRED = "请选择党组织。"
ORG_NOT_YET = "党组织“{name}”成立于{date}，不能在成立之前接收党员。"
CORRECTION_RANGE = "党龄校正值应在-80至80之间。"
KIND_NOT_HERE = "不能用此方式录入“{kind}”。"
DEVELOPMENT_RECORD_HERE = (
    "此人有发展党员记录（{where}）：接收预备党员、转正、延长预备期和取消预备党员资格请在“发展党员”中按步骤办理，"
    "以免名册与发展记录不一致。"
)
# Kinds that end a development record's stages: while a record exists, only recruitment's services record them.
DEVELOPMENT_KINDS = frozenset({rules.CONVERTED, rules.PROBATION_EXTENDED, rules.PROBATION_CANCELLED})


def _check_no_development_record(*, id_hash: str | None = None, member: Member | None = None) -> None:
    """Admission, conversion, extension and cancellation of someone with a development record (发展党员)
    go through that record's steps, which check the rules (votes, approvals, probation); entering them
    on the roster directly would bypass the rules and leave the two out of step."""
    from dangjian.recruitment import rules as recruitment_rules
    from dangjian.recruitment.models import DevelopmentRecord

    records = DevelopmentRecord.objects.exclude(status__in=[recruitment_rules.STOPPED, recruitment_rules.CANCELLED])
    record = (records.filter(id_number_hash=id_hash) if id_hash else records.filter(member=member)).select_related("org").first()
    if record is not None:
        raise ServiceError(DEVELOPMENT_RECORD_HERE.format(where=record.org.name), "first_event" if id_hash else "kind")
OUT_DATE_AFTER = "转出日期不能晚于转入（接收）日期。"
LETTER_USED = "介绍信编号“{letter}”已经使用过，同一次转接不能重复办理。"
REASON_REQUIRED = "请选择除名原因。"
LEFT_IN_DISSOLVED = "这样录入后，该党员的组织关系将停留在已于{date}撤销的党组织“{name}”。请核对日期，或先办理转接。"

PERSONAL_FIELDS = (
    "name", "sex", "ethnicity", "birth_date", "education", "degree", "personnel_category", "party_age_correction",
    "new_social_stratum", "job", "professional_title", "is_migrant_worker", "registered_residence", "current_residence",
)  # fmt: skip
CHOICES = {
    "sex": (codes.SEX, "性别"),
    "ethnicity": (codes.ETHNICITY, "民族"),
    "education": (codes.EDUCATION, "学历"),
    "degree": (codes.DEGREE, "学位"),
    "personnel_category": (codes.PERSONNEL_CATEGORY, "人员类别"),
    "new_social_stratum": (codes.NEW_SOCIAL_STRATUM, "新社会阶层类型"),
}
TYPE_LABELS = dict(OrgType.choices)


def _validate_personal(values: dict[str, Any], *, id_number: str | None, today: dt.date) -> tuple[dict[str, list[str]], idnumbers.IdInfo | None]:
    errors: dict[str, list[str]] = {}

    def err(f: str, m: str) -> None:
        errors.setdefault(f, []).append(m)

    if "name" in values and not (values["name"] or "").strip():
        err("name", NAME_REQUIRED)
    for f, (choices, label) in CHOICES.items():
        if f in values and values[f] not in dict(choices):
            err(f, CHOICE_INVALID.format(value=values[f], field=label))
    birth = values.get("birth_date")
    if birth and birth > today:
        err("birth_date", rules.FUTURE_DATE.format(date=today))
    if "party_age_correction" in values and not -80 <= int(values["party_age_correction"] or 0) <= 80:
        err("party_age_correction", CORRECTION_RANGE)
    info = None
    if id_number is not None:
        try:
            info = idnumbers.parse(id_number)
        except idnumbers.IdNumberError as exc:
            err("id_number", str(exc))
        else:
            for m in idnumbers.check_agrees(info, birth_date=birth, sex=values.get("sex")):
                err("birth_date" if "出生" in m else "sex", m)
    return errors, info


def _validate_phone(phone: str | None) -> str | None:
    if phone is None:
        return None
    phone = "".join(phone.split())
    if phone and not (len(phone) == 11 and phone.isdigit() and phone[0] == "1"):
        raise ServiceError(PHONE_FORMAT, "phone")
    return phone


def _check_member_org(actor: User | None, org: Org | None, date: dt.date) -> Org:
    if org is None:
        raise ServiceError(ORG_REQUIRED, "org")
    # Lock the target organization's row and read it afresh, so that a dissolution or merger
    # committed meanwhile is seen (PostgreSQL), and none can commit until this transfer has.
    org = Org.objects.select_for_update().get(pk=org.pk)
    if actor is not None and not scope_for(actor).contains_path(org.path):
        raise NotPermitted
    if org.dissolved_on and org.dissolved_on <= date:
        raise ServiceError(ORG_INACTIVE.format(name=org.name, date=org.dissolved_on), "org")
    if date < org.established_on:
        raise ServiceError(ORG_NOT_YET.format(name=org.name, date=org.established_on), "org")
    if org.org_type not in org_rules.HOLDS_MEMBERS:
        raise ServiceError(ORG_NOT_HOLDING.format(type=TYPE_LABELS.get(org.org_type, org.org_type)), "org")
    return org


def _check_final_org(member: Member) -> None:
    """After the replay: a member on the roster must not end up in a dissolved organization (a
    backdated transfer into an organization that was dissolved later)."""
    if member.org_id is None or member.status not in rules.ON_ROSTER:
        return
    org = Org.objects.only("name", "dissolved_on").get(pk=member.org_id)
    if org.dissolved_on:
        raise ServiceError(LEFT_IN_DISSOLVED.format(date=org.dissolved_on, name=org.name), "to_org")


def _check_member_writable(actor: User, member: Member) -> None:
    require_writer(actor)
    if member.org is None or not scope_for(actor).contains_path(member.org.path):
        raise NotPermitted


def _apply(member: Member, events: list[MembershipEvent]) -> None:
    """Replay ``events`` (already ordered) and write each snapshot and the member's cached state."""
    try:
        states = rules.replay(ev.as_rule_event() for ev in events)
    except rules.MembershipRuleError as exc:
        raise ServiceError(str(exc)) from exc
    for ev, st in zip(events, states, strict=True):
        ev.org_after_id = st.org_id
        ev.status_after = st.status or ""
        ev.mobile_after = st.is_mobile
        ev.lost_after = st.is_lost_contact
    last = states[-1]
    member.org_id = last.org_id
    member.status = last.status or ""
    member.joined_on = last.admitted_on
    member.converted_on = last.converted_on
    member.probation_ends_on = last.probation_ends_on
    member.is_mobile = last.is_mobile
    member.is_lost_contact = last.is_lost_contact
    member.lost_contact_on = last.lost_contact_on
    member.suspended_on = last.suspended_on


SNAPSHOT_FIELDS = ["org_after", "status_after", "mobile_after", "lost_after", "seq"]
CACHE_FIELDS = ["org", "status", "joined_on", "converted_on", "probation_ends_on", "is_mobile", "is_lost_contact",
                "lost_contact_on", "suspended_on", "county", "version", "updated_at"]  # fmt: skip


def _audit_personal(changes: dict[str, Any]) -> dict[str, Any]:
    """Personal-field changes as the audit log may keep them: the birth date by its year only
    ("1985-**-**"), since the log also holds the masked ID number, which hides exactly that date."""
    if "birth_date" in changes:
        changes["birth_date"] = [f"{v[:4]}-**-**" if v else v for v in changes["birth_date"]]
    return changes


@transaction.atomic
def member_create(
    *,
    actor: User | None,
    org: Org,
    id_number: str,
    phone: str = "",
    first_event: str = rules.RECORDED,
    date: dt.date,
    status: str = rules.FULL,
    joined_on: dt.date | None = None,
    converted_on: dt.date | None = None,
    letter_number: str = "",
    note: str = "",
    today: dt.date | None = None,
    via_development: bool = False,
    **personal: Any,
) -> Member:
    """Add a member with their first membership event: 补录 (recorded), 接收为预备党员 (admitted)
    or 从外单位转入 (transfer_in). ``actor`` None is the system (demo data). An admission of someone
    with a development record is refused unless it comes from that record (``via_development``)."""
    today = today or timezone.localdate()
    if actor is not None:
        require_writer(actor)
    if first_event not in rules.INITIAL_KINDS:
        raise ServiceError(rules.FIRST_EVENT_REQUIRED)
    unknown = set(personal) - set(PERSONAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    errors, info = _validate_personal(personal, id_number=id_number, today=today)
    for d, f in ((date, "date"), (joined_on, "joined_on"), (converted_on, "converted_on")):
        if d is None:
            continue
        try:
            rules.check_dates(date=d, today=today, birth=personal.get("birth_date"))
        except rules.MembershipRuleError as exc:
            errors.setdefault(f, []).append(str(exc))
    if first_event == rules.ADMITTED and not errors:
        try:
            rules.check_admission_age(birth=personal.get("birth_date"), date=date)
        except rules.MembershipRuleError as exc:
            errors.setdefault("date", []).append(str(exc))
    try:
        phone = _validate_phone(phone) or ""
    except ServiceError as exc:
        errors.update(exc.errors)
    if info is not None and first_event == rules.ADMITTED and not via_development and not errors:
        _check_no_development_record(id_hash=crypto.keyed_hash(info.number))
    if info is not None:
        existing = Member.objects.filter(id_number_hash=crypto.keyed_hash(info.number)).select_related("org").first()
        if existing:
            visible = existing.org is not None and actor is not None and scope_for(actor).contains_path(existing.org.path)
            if visible and existing.status in rules.TERMINAL and existing.org is not None:
                # Someone coming back or joining again: the history continues on the existing record.
                msg = ID_TAKEN_RETURN.format(where=existing.org.name, status=rules.STATUS_LABELS[existing.status])
            else:
                msg = ID_TAKEN.format(where=existing.org.name if visible and existing.org else "其他党组织")
            errors.setdefault("id_number", []).append(msg)
    try:
        _check_member_org(actor, org, date)
    except ServiceError as exc:
        errors.update(exc.errors)
    if errors:
        raise ServiceError(errors)
    assert info is not None
    full, initials = name_keys(personal["name"])
    member = Member(
        **personal,
        name_pinyin=full,
        name_initials=initials,
        id_number_enc=crypto.encrypt(info.number),
        id_number_hash=crypto.keyed_hash(info.number),
        id_number_masked=crypto.mask_id_number(info.number),
        phone_enc=crypto.encrypt(phone),
        phone_hash=crypto.keyed_hash(phone),
        phone_masked=crypto.mask_phone(phone),
        county=org.county if org.org_type != OrgType.COUNTY_COMMITTEE else org,
    )
    event = MembershipEvent(
        kind=first_event, date=date, to_org=org, status_in=status if first_event != rules.ADMITTED else "",
        joined_on=joined_on, converted_on=converted_on, letter_number=letter_number, note=note, recorded_by=actor,
    )
    _apply(member, [event])
    _check_final_org(member)
    member.save()
    event.member = member
    event.save()
    audit_record(
        actor=actor, action="member.create", org=org, target=member,
        changes={**_audit_personal(diff({}, personal)), "id_number": [None, member.id_number_masked], "event": [None, rules.EVENT_LABELS[first_event]]},
    )
    return member


@transaction.atomic
def member_update(*, actor: User, member: Member, version: int, id_number: str | None = None, phone: str | None = None,
                  today: dt.date | None = None, **personal: Any) -> Member:
    """Edit personal fields. Refused with ConflictError if the record changed since ``version``."""
    today = today or timezone.localdate()
    _check_member_writable(actor, member)
    unknown = set(personal) - set(PERSONAL_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    merged = {"birth_date": member.birth_date, "sex": member.sex, **personal}
    check_id = id_number if id_number is not None else crypto.decrypt(member.id_number_enc)
    errors, info = _validate_personal(merged, id_number=check_id, today=today)
    try:
        phone = _validate_phone(phone)
    except ServiceError as exc:
        errors.update(exc.errors)
    if info is not None and id_number is not None:
        clash = Member.objects.filter(id_number_hash=crypto.keyed_hash(info.number)).exclude(pk=member.pk).exists()
        if clash:
            errors.setdefault("id_number", []).append(ID_TAKEN.format(where="其他记录"))
    if errors:
        raise ServiceError(errors)
    old = {k: getattr(member, k) for k in personal}
    values: dict[str, Any] = dict(personal)
    changes = _audit_personal(diff(old, personal))
    if "name" in personal:
        values["name_pinyin"], values["name_initials"] = name_keys(personal["name"])
    if id_number is not None and info is not None and crypto.keyed_hash(info.number) != member.id_number_hash:
        values.update(
            id_number_enc=crypto.encrypt(info.number), id_number_hash=crypto.keyed_hash(info.number),
            id_number_masked=crypto.mask_id_number(info.number),
        )
        changes["id_number"] = [member.id_number_masked, values["id_number_masked"]]
    if phone is not None and crypto.keyed_hash(phone) != member.phone_hash:
        values.update(phone_enc=crypto.encrypt(phone), phone_hash=crypto.keyed_hash(phone), phone_masked=crypto.mask_phone(phone))
        changes["phone"] = [member.phone_masked, values["phone_masked"]]
    updated = Member.objects.filter(pk=member.pk, version=version).update(version=F("version") + 1, **values)
    if not updated:
        raise ConflictError
    member.refresh_from_db()
    audit_record(actor=actor, action="member.update", org=member.org, target=member, changes=changes)
    return member


@transaction.atomic
def member_add_event(
    *,
    actor: User | None,
    member: Member,
    kind: str,
    date: dt.date,
    to_org: Org | None = None,
    from_org: Org | None = None,
    out_date: dt.date | None = None,
    letter_number: str = "",
    months: int | None = None,
    reason: str = "",
    note: str = "",
    version: int | None = None,
    today: dt.date | None = None,
    via_development: bool = False,
) -> MembershipEvent:
    """Record one membership event (转正, 组织关系转接, 失联, 停止党籍, 死亡...). The member's
    events are replayed with the new one in date order; any rule it breaks — here or for a later
    event — refuses the whole change."""
    today = today or timezone.localdate()
    if kind not in rules.EVENT_LABELS or (kind in rules.INITIAL_KINDS and kind not in rules.RETURN_KINDS):
        raise ServiceError(KIND_NOT_HERE.format(kind=rules.EVENT_LABELS.get(kind, kind)), "kind")
    if kind in DEVELOPMENT_KINDS and not via_development:
        _check_no_development_record(member=member)
    # Lock the member row alone, then read its organization afresh: PostgreSQL refuses FOR UPDATE on
    # the outer join of select_related("org"), and a joined row read while waiting for the lock would
    # be the organization from before a concurrent transfer.
    member = Member.objects.select_for_update().get(pk=member.pk)
    if actor is not None:
        _check_member_writable(actor, member)
    if version is not None and member.version != version:
        raise ConflictError
    try:
        rules.check_dates(date=date, today=today, birth=member.birth_date)
        if out_date:
            rules.check_dates(date=out_date, today=today, birth=member.birth_date)
    except rules.MembershipRuleError as exc:
        raise ServiceError(str(exc), "date") from exc
    if out_date and out_date > date:
        raise ServiceError(OUT_DATE_AFTER, "out_date")
    if kind == rules.TRANSFER:
        to_org = _check_member_org(actor, to_org, date)
        if from_org is None:
            # The member's organization on the transfer date, from the history, not today's cache.
            prior = member.events.filter(date__lte=date).order_by("-date", "-seq", "-id").first()
            from_org = prior.org_after if prior else None
        # Otherwise ``from_org`` is the organization the user saw the member in: if the history says
        # the member had already left it (a second transfer of the same member), the replay refuses
        # it with rules.TRANSFER_WRONG_ORG instead of silently transferring from somewhere else.
        if letter_number and MembershipEvent.objects.filter(kind=rules.TRANSFER, letter_number=letter_number).exists():
            raise ServiceError(LETTER_USED.format(letter=letter_number), "letter_number")
    elif kind in rules.RETURN_KINDS:
        # 从外单位转入 after 转出本县, or 接收为预备党员 again (R5.5): into an organization of one's own.
        to_org = _check_member_org(actor, to_org, date)
        from_org = None
        if kind == rules.ADMITTED:
            try:
                rules.check_admission_age(birth=member.birth_date, date=date)
            except rules.MembershipRuleError as exc:
                raise ServiceError(str(exc), "date") from exc
    else:
        from_org = None
    if kind == rules.REMOVE and reason and reason not in rules.REMOVAL_REASONS:
        raise ServiceError(REASON_REQUIRED, "reason")
    same_day = member.events.filter(date=date).count()
    event = MembershipEvent(
        member=member, kind=kind, date=date, seq=same_day, from_org=from_org,
        to_org=to_org if kind == rules.TRANSFER or kind in rules.RETURN_KINDS else None,
        out_date=out_date, letter_number=letter_number, months=months, reason=reason, note=note, recorded_by=actor,
    )
    events = sorted([*member.events.all(), event], key=lambda e: (e.date, e.seq, e.pk or 10**18))
    if events[0] is event and len(events) > 1:
        # Dated before the member's admission or first record: say so, rather than the replay's
        # "no admission record yet", which would send the user looking for a missing record.
        first = events[1]
        if kind == rules.CONVERTED and first.kind == rules.ADMITTED:
            msg = rules.CONVERSION_BEFORE_ADMISSION.format(date=date, admitted=first.date)
        else:
            msg = rules.BEFORE_FIRST_EVENT.format(date=date, first=first.date, event=rules.EVENT_LABELS[first.kind])
        raise ServiceError(msg, "date")
    _apply(member, events)
    _check_final_org(member)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:
        # Two transfers with one letter number committed at the same moment: the unique constraint
        # catches what the check above could not see yet.
        raise ServiceError(LETTER_USED.format(letter=letter_number), "letter_number") from exc
    MembershipEvent.objects.bulk_update([e for e in events if e is not event], SNAPSHOT_FIELDS)
    member.version += 1
    if member.org_id is not None:
        member.county = Org.objects.get(pk=member.org_id).county
    member.save(update_fields=CACHE_FIELDS)
    changes: dict[str, Any] = {"event": [None, rules.EVENT_LABELS[kind]], "date": [None, str(date)]}
    if kind == rules.TRANSFER or kind in rules.RETURN_KINDS:
        changes["org"] = [from_org.name if from_org else "", to_org.name if to_org else ""]
    audit_record(actor=actor, action=f"member.event.{kind}", org=member.org, target=member, changes=changes, reason=note)
    return event


def member_transfer(*, actor: User | None, member: Member, to_org: Org, date: dt.date, out_date: dt.date | None = None,
                    letter_number: str, note: str = "", from_org: Org | None = None,
                    version: int | None = None) -> MembershipEvent:
    """组织关系转接 within the platform: out of the current organization (or ``from_org``, the one
    the user saw, which must still be the member's on ``date``), into ``to_org``."""
    return member_add_event(
        actor=actor, member=member, kind=rules.TRANSFER, date=date, to_org=to_org, from_org=from_org,
        out_date=out_date or date, letter_number=letter_number, note=note, version=version,
    )


@transaction.atomic
def member_reveal(*, actor: User, member: Member, field: str) -> str:
    """The full ID number or phone, for a user who may see the member; each view is audited."""
    scope = scope_for(actor)
    own = scope.own_member_id is not None and scope.own_member_id == member.pk
    # The role alone is not enough: an organization user may reveal only members in their subtrees.
    in_scope = member.org is not None and scope.contains_path(member.org.path)
    if not (own or in_scope):
        raise NotPermitted
    if field == "id_number":
        value = crypto.decrypt(member.id_number_enc)
    elif field == "phone":
        value = crypto.decrypt(member.phone_enc)
    else:
        raise ValueError(field)
    audit_record(actor=actor, action=f"member.reveal.{field}", org=member.org, target=member, reason="查看完整个人信息")
    return value
