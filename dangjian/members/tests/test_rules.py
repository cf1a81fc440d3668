"""Membership rules: the event state machine, dates, 党龄, probation and the R5.5 deadlines."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.members import rules as r
from dangjian.members.rules import Event, MembershipRuleError, MemberState

D0 = dt.date(2015, 3, 1)
D = dt.date(2020, 6, 1)

# --- add_months / years / age --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),  # leap year
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 3, 31), -1, dt.date(2024, 2, 29)),
        (dt.date(2024, 5, 31), 1, dt.date(2024, 6, 30)),
        (dt.date(2024, 8, 31), 6, dt.date(2025, 2, 28)),
        (dt.date(2024, 12, 15), 1, dt.date(2025, 1, 15)),
        (dt.date(2024, 1, 15), -1, dt.date(2023, 12, 15)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2024, 2, 29), 48, dt.date(2028, 2, 29)),
        (dt.date(2024, 7, 1), 0, dt.date(2024, 7, 1)),
        (dt.date(2024, 1, 30), -11, dt.date(2023, 2, 28)),
    ],
)
def test_add_months_end_of_month(start, months, end):
    assert r.add_months(start, months) == end


@given(d=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)), months=st.integers(-600, 600))
def test_add_months_moves_exactly_that_many_calendar_months(d, months):
    out = r.add_months(d, months)
    assert (out.year * 12 + out.month) - (d.year * 12 + d.month) == months
    # Same day, or the last day of a shorter month.
    next_day = out + dt.timedelta(days=1)
    assert out.day == d.day or (out.day < d.day and next_day.day == 1)


def test_add_years_on_29_february():
    assert r.add_years(dt.date(2020, 2, 29), 1) == dt.date(2021, 2, 28)
    assert r.add_years(dt.date(2020, 2, 29), 4) == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (dt.date(2000, 5, 10), dt.date(2018, 5, 9), 17),
        (dt.date(2000, 5, 10), dt.date(2018, 5, 10), 18),
        (dt.date(2000, 2, 29), dt.date(2018, 2, 28), 17),
        (dt.date(2000, 2, 29), dt.date(2018, 3, 1), 18),
        (dt.date(2000, 5, 10), dt.date(1999, 1, 1), 0),
    ],
)
def test_age_on_the_day_before_and_of_the_birthday(birth, on, age):
    assert r.age_on(birth, on) == age


# --- 党龄 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "correction", "age"),
    [
        (dt.date(2020, 6, 30), 0, 9),  # the day before the 10th anniversary of conversion
        (dt.date(2020, 7, 1), 0, 10),  # the anniversary itself
        (dt.date(2020, 7, 1), -2, 8),  # 党龄校正值 subtracts, e.g. a suspension
        (dt.date(2020, 7, 1), 3, 13),
        (dt.date(2020, 7, 1), -20, 0),  # never negative
        (dt.date(2010, 7, 1), 0, 0),  # converted today
    ],
)
def test_party_age_boundaries_and_corrections(as_of, correction, age):
    assert r.party_age(converted_on=dt.date(2010, 7, 1), as_of=as_of, correction=correction) == age


def test_party_age_is_none_before_conversion():
    assert r.party_age(converted_on=None, as_of=D) is None  # probationary
    assert r.party_age(converted_on=dt.date(2021, 1, 1), as_of=D) is None


@given(conv=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 1, 1)), years=st.integers(0, 70))
def test_party_age_turns_on_the_anniversary(conv, years):
    anniversary = r.add_years(conv, years)
    assert r.party_age(converted_on=conv, as_of=anniversary) == years
    if years and anniversary - dt.timedelta(days=1) >= conv and not (conv.month == 2 and conv.day == 29):
        assert r.party_age(converted_on=conv, as_of=anniversary - dt.timedelta(days=1)) == years - 1


# --- dates and age at admission -------------------------------------------------------------------


def test_admission_age_boundary():
    birth = dt.date(2000, 5, 10)
    with pytest.raises(MembershipRuleError) as info:
        r.check_admission_age(birth=birth, date=dt.date(2018, 5, 9))
    assert str(info.value) == r.JOIN_BEFORE_18.format(date="2018-05-09")
    r.check_admission_age(birth=birth, date=dt.date(2018, 5, 10))


def test_check_dates():
    today = dt.date(2026, 1, 1)
    with pytest.raises(MembershipRuleError) as info:
        r.check_dates(date=dt.date(2026, 1, 2), today=today, birth=None)
    assert str(info.value) == r.FUTURE_DATE.format(date="2026-01-01")
    with pytest.raises(MembershipRuleError) as info:
        r.check_dates(date=dt.date(1979, 12, 31), today=today, birth=dt.date(1980, 1, 1))
    assert str(info.value) == r.BEFORE_BIRTH.format(birth="1980-01-01")
    r.check_dates(date=today, today=today, birth=dt.date(1980, 1, 1))
    r.check_dates(date=dt.date(1980, 1, 1), today=today, birth=dt.date(1980, 1, 1))


# --- the state machine --------------------------------------------------------------------------------

ORG, OTHER = 1, 2


def ev(kind, date=D, **kw):
    if kind == r.TRANSFER:
        kw.setdefault("org_id", OTHER)
    if kind == r.PROBATION_EXTENDED:
        kw.setdefault("months", 6)
    if kind in r.INITIAL_KINDS:
        kw.setdefault("org_id", ORG)
    return Event(kind=kind, date=date, **kw)


def final(*events):
    return r.replay(list(events))[-1]


def refused(events, message):
    with pytest.raises(MembershipRuleError) as info:
        r.replay(list(events))
    assert str(info.value) == message


# Each starting state, reached by replaying real events before D.
STARTS = {
    None: [],
    r.PROBATIONARY: [ev(r.ADMITTED, D0)],
    r.FULL: [ev(r.RECORDED, D0, status=r.FULL, joined_on=dt.date(2010, 1, 1), converted_on=dt.date(2011, 1, 1))],
}
STARTS[r.SUSPENDED] = [*STARTS[r.FULL], ev(r.SUSPEND, D0)]
STARTS[r.TRANSFERRED_OUT] = [*STARTS[r.FULL], ev(r.TRANSFER_OUT, D0)]
STARTS[r.DIED] = [*STARTS[r.FULL], ev(r.DIE, D0)]
STARTS[r.EXPELLED] = [*STARTS[r.FULL], ev(r.EXPEL, D0)]
STARTS[r.REMOVED] = [*STARTS[r.SUSPENDED], ev(r.REMOVE, D0)]
STARTS[r.LEFT] = [*STARTS[r.FULL], ev(r.LEAVE, D0)]
STARTS[r.CANCELLED] = [*STARTS[r.PROBATIONARY], ev(r.PROBATION_CANCELLED, D0)]

ACTIVE = {r.PROBATIONARY, r.FULL}
TERMINAL = {r.TRANSFERRED_OUT, r.DIED, r.EXPELLED, r.REMOVED, r.LEFT, r.CANCELLED}


def expected(start, kind):
    """What the rules (R5.2, R5.5, the 发展党员细则) say should happen: a status, or the message."""
    label = r.EVENT_LABELS[kind]
    st_label = r.STATUS_LABELS.get(start or "", "未入党")
    not_active = r.NOT_ACTIVE.format(date=D, status=st_label, event=label)
    if kind in r.INITIAL_KINDS:
        if start in (None, r.TRANSFERRED_OUT):
            return r.PROBATIONARY if kind == r.ADMITTED else r.FULL
        if kind == r.ADMITTED and start in (r.EXPELLED, r.REMOVED, r.LEFT, r.CANCELLED):
            return r.PROBATIONARY  # R5.5: not restored, but may join again
        return r.ALREADY_RECORDED
    if start is None:
        return r.FIRST_EVENT_REQUIRED
    if kind in (r.CONVERTED, r.PROBATION_EXTENDED, r.PROBATION_CANCELLED):
        if start != r.PROBATIONARY:
            return r.NOT_PROBATIONARY.format(event=label, date=D, status=st_label)
        return {r.CONVERTED: r.FULL, r.PROBATION_EXTENDED: r.PROBATIONARY, r.PROBATION_CANCELLED: r.CANCELLED}[kind]
    if kind == r.TRANSFER:
        return start if start in ACTIVE | {r.SUSPENDED} else not_active
    if kind in (r.WENT_MOBILE, r.LOST_CONTACT):
        return start if start in ACTIVE else not_active
    if kind == r.TRANSFER_OUT:
        return r.TRANSFERRED_OUT if start in ACTIVE else not_active
    if kind == r.SUSPEND:
        return r.SUSPENDED if start in ACTIVE else not_active
    if kind == r.RETURNED:
        return r.NOT_MOBILE
    if kind == r.CONTACT_RESTORED:
        return r.NOT_LOST
    if kind == r.RESTORE:
        if start in TERMINAL:
            return r.NO_RESTORE_AFTER.format(status=st_label)
        return r.FULL if start == r.SUSPENDED else r.NOT_SUSPENDED
    final_status = {r.DIE: r.DIED, r.EXPEL: r.EXPELLED, r.REMOVE: r.REMOVED, r.LEAVE: r.LEFT}[kind]
    if start in TERMINAL or (kind == r.LEAVE and start == r.SUSPENDED):
        return not_active
    return final_status


@pytest.mark.parametrize("kind", list(r.EVENT_LABELS))
@pytest.mark.parametrize("start", list(STARTS), ids=lambda s: s or "none")
def test_every_transition_is_allowed_or_refused_with_its_message(start, kind):
    events = [*STARTS[start], ev(kind, D, status=r.FULL if kind != r.ADMITTED else None)]
    want = expected(start, kind)
    if want in r.STATUS_LABELS:
        assert final(*events).status == want
    else:
        refused(events, want)


def test_transfer_moves_the_relation_and_refuses_the_same_or_a_wrong_organization():
    s = final(*STARTS[r.FULL], ev(r.TRANSFER, org_id=OTHER, from_org_id=ORG))
    assert (s.status, s.org_id) == (r.FULL, OTHER)
    refused([*STARTS[r.FULL], ev(r.TRANSFER, org_id=ORG)], r.TRANSFER_SAME_ORG)
    # A second transfer out of the organization the member has already left.
    refused(
        [*STARTS[r.FULL], ev(r.TRANSFER, org_id=OTHER, from_org_id=ORG),
         ev(r.TRANSFER, dt.date(2020, 7, 1), org_id=3, from_org_id=ORG)],
        r.TRANSFER_WRONG_ORG.format(date=dt.date(2020, 7, 1)),
    )


def test_transfer_in_again_after_leaving_the_county():
    s = final(*STARTS[r.TRANSFERRED_OUT], ev(r.TRANSFER_IN, dt.date(2022, 1, 1), org_id=OTHER, status=r.FULL,
                                             joined_on=dt.date(2010, 1, 1), converted_on=dt.date(2011, 1, 1)))
    assert (s.status, s.org_id, s.converted_on) == (r.FULL, OTHER, dt.date(2011, 1, 1))


def test_joining_again_starts_a_new_probation_and_a_new_party_age():
    s = final(*STARTS[r.EXPELLED], ev(r.ADMITTED, dt.date(2022, 3, 1)))
    assert (s.status, s.admitted_on, s.converted_on, s.probation_ends_on) == (
        r.PROBATIONARY, dt.date(2022, 3, 1), None, dt.date(2023, 3, 1))
    refused([*STARTS[r.DIED], ev(r.ADMITTED, dt.date(2022, 3, 1))], r.ALREADY_RECORDED)
    refused([*STARTS[r.EXPELLED], ev(r.TRANSFER_IN, dt.date(2022, 3, 1))], r.ALREADY_RECORDED)


def test_coming_back_keeps_the_conversion_date_and_probation():
    back = final(*STARTS[r.TRANSFERRED_OUT], ev(r.TRANSFER_IN, dt.date(2022, 1, 1), org_id=OTHER))
    assert (back.status, back.converted_on) == (r.FULL, dt.date(2011, 1, 1))
    away = [ev(r.ADMITTED, dt.date(2021, 6, 1)), ev(r.TRANSFER_OUT, dt.date(2021, 9, 1))]
    back = final(*away, ev(r.TRANSFER_IN, dt.date(2021, 12, 1), org_id=OTHER))
    assert (back.status, back.probation_ends_on) == (r.PROBATIONARY, dt.date(2022, 6, 1))


def test_recorded_member_status_and_dates():
    refused([ev(r.RECORDED, status=r.SUSPENDED)], r.STATUS_FOR_RECORD)
    refused([ev(r.RECORDED, status=r.FULL, joined_on=dt.date(2012, 1, 1), converted_on=dt.date(2011, 12, 31))],
            r.CONVERSION_BEFORE_ADMISSION.format(date=dt.date(2011, 12, 31), admitted=dt.date(2012, 1, 1)))
    s = final(ev(r.RECORDED, status=r.PROBATIONARY, joined_on=dt.date(2020, 1, 15)))
    assert (s.status, s.probation_ends_on, s.converted_on) == (r.PROBATIONARY, dt.date(2021, 1, 15), None)


# --- probation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("admitted", "ends"),
    [(dt.date(2024, 3, 15), dt.date(2025, 3, 15)), (dt.date(2024, 2, 29), dt.date(2025, 2, 28))],
)
def test_probation_is_one_year(admitted, ends):
    s = final(ev(r.ADMITTED, admitted))
    assert (s.status, s.admitted_on, s.probation_ends_on) == (r.PROBATIONARY, admitted, ends)


def test_conversion():
    s = final(ev(r.ADMITTED, dt.date(2019, 6, 1)), ev(r.CONVERTED, dt.date(2020, 6, 1)))
    assert (s.status, s.converted_on, s.probation_ends_on) == (r.FULL, dt.date(2020, 6, 1), None)
    refused([ev(r.ADMITTED, dt.date(2019, 6, 1)), ev(r.CONVERTED, dt.date(2019, 5, 31))],
            r.CONVERSION_BEFORE_ADMISSION.format(date=dt.date(2019, 5, 31), admitted=dt.date(2019, 6, 1)))


def test_probation_is_never_shortened():
    """R1.20: no conversion before the year is up; the message names both dates."""
    admitted = ev(r.ADMITTED, dt.date(2019, 6, 1))
    refused([admitted, ev(r.CONVERTED, dt.date(2020, 5, 31))],
            r.CONVERSION_BEFORE_PROBATION_ENDS.format(date=dt.date(2020, 5, 31), admitted=dt.date(2019, 6, 1),
                                                      ends=dt.date(2020, 6, 1)))
    # After an extension the extended end counts.
    extended = [admitted, ev(r.PROBATION_EXTENDED, dt.date(2020, 6, 1), months=6)]
    refused([*extended, ev(r.CONVERTED, dt.date(2020, 11, 30))],
            r.CONVERSION_BEFORE_PROBATION_ENDS.format(date=dt.date(2020, 11, 30), admitted=dt.date(2019, 6, 1),
                                                      ends=dt.date(2020, 12, 1)))
    assert final(*extended, ev(r.CONVERTED, dt.date(2020, 12, 1))).converted_on == dt.date(2020, 12, 1)


def test_party_age_counts_from_the_end_of_probation_not_the_approval():
    """R1.23: approved two months late, the member is still full (and counts 党龄) from the end of probation."""
    s = final(ev(r.ADMITTED, dt.date(2019, 6, 1)), ev(r.CONVERTED, dt.date(2020, 8, 3)))
    assert (s.status, s.converted_on) == (r.FULL, dt.date(2020, 6, 1))
    assert r.party_age(converted_on=s.converted_on, as_of=dt.date(2021, 6, 1)) == 1


@pytest.mark.parametrize(("months", "ok"), [(5, False), (6, True), (9, True), (12, True), (13, False), (None, False)])
def test_extension_is_six_to_twelve_months(months, ok):
    events = [ev(r.ADMITTED, dt.date(2019, 6, 1)), Event(kind=r.PROBATION_EXTENDED, date=dt.date(2020, 6, 1), months=months)]
    if ok:
        s = final(*events)
        assert s.extended
        assert s.probation_ends_on == r.add_months(dt.date(2020, 6, 1), months)
    else:
        refused(events, r.EXTENSION_MONTHS.format(months=months or 0))


def test_extension_only_once_then_conversion():
    base = [ev(r.ADMITTED, dt.date(2019, 6, 1)), ev(r.PROBATION_EXTENDED, dt.date(2020, 6, 1), months=6)]
    refused([*base, ev(r.PROBATION_EXTENDED, dt.date(2020, 12, 1), months=6)], r.EXTENSION_TWICE)
    s = final(*base, ev(r.CONVERTED, dt.date(2020, 12, 1)))
    assert s.status == r.FULL


# --- mobile, lost contact, suspension, restoration --------------------------------------------------


def test_mobile_and_back():
    s = final(*STARTS[r.FULL], ev(r.WENT_MOBILE))
    assert s.is_mobile
    refused([*STARTS[r.FULL], ev(r.WENT_MOBILE), ev(r.WENT_MOBILE)], r.ALREADY_MOBILE)
    assert not final(*STARTS[r.FULL], ev(r.WENT_MOBILE), ev(r.RETURNED)).is_mobile


def test_lost_contact_suspension_and_restoration():
    lost = final(*STARTS[r.FULL], ev(r.LOST_CONTACT, dt.date(2020, 1, 10)))
    assert (lost.is_lost_contact, lost.lost_contact_on) == (True, dt.date(2020, 1, 10))
    refused([*STARTS[r.FULL], ev(r.LOST_CONTACT), ev(r.LOST_CONTACT)], r.ALREADY_LOST)
    suspended = final(*STARTS[r.FULL], ev(r.LOST_CONTACT, dt.date(2020, 1, 10)), ev(r.SUSPEND, dt.date(2020, 7, 10)))
    assert (suspended.status, suspended.suspended_on, suspended.is_lost_contact) == (r.SUSPENDED, dt.date(2020, 7, 10), True)
    restored = final(*STARTS[r.FULL], ev(r.LOST_CONTACT, dt.date(2020, 1, 10)), ev(r.SUSPEND, dt.date(2020, 7, 10)),
                     ev(r.RESTORE, dt.date(2021, 1, 1)))
    assert (restored.status, restored.suspended_on, restored.is_lost_contact) == (r.FULL, None, False)


def test_restoring_a_suspended_probationary_member_gives_back_probation():
    s = final(ev(r.ADMITTED, dt.date(2019, 6, 1)), ev(r.SUSPEND, dt.date(2019, 9, 1)), ev(r.RESTORE, dt.date(2019, 10, 1)))
    assert s.status == r.PROBATIONARY


def test_suspended_member_removed_as_self_lapsed():
    assert final(*STARTS[r.SUSPENDED], ev(r.REMOVE)).status == r.REMOVED


def test_unknown_event_kind_is_refused_in_chinese():
    with pytest.raises(MembershipRuleError) as info:
        r.apply_event(MemberState(status=r.FULL), Event(kind="teleported", date=D))
    assert "未知的事项类型" in str(info.value)


@pytest.mark.parametrize("flag_event", [r.WENT_MOBILE, r.LOST_CONTACT])
def test_leaving_the_roster_clears_the_mobile_and_lost_contact_flags(flag_event):
    for end in (r.PROBATION_CANCELLED, r.DIE, r.EXPEL, r.TRANSFER_OUT):
        s = final(ev(r.ADMITTED, dt.date(2019, 6, 1)), ev(flag_event, dt.date(2019, 8, 1)), ev(end, dt.date(2019, 9, 1)))
        assert not s.is_mobile and not s.is_lost_contact, end


# --- R5.5 deadlines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lost", "deadline"),
    [(dt.date(2024, 1, 15), dt.date(2024, 7, 15)), (dt.date(2023, 8, 31), dt.date(2024, 2, 29)),
     (dt.date(2024, 8, 31), dt.date(2025, 2, 28))],
)
def test_lost_contact_deadline_is_six_months(lost, deadline):
    assert r.lost_contact_deadline(lost) == deadline


@pytest.mark.parametrize(
    ("suspended", "deadline"),
    [(dt.date(2022, 3, 10), dt.date(2024, 3, 10)), (dt.date(2020, 2, 29), dt.date(2022, 2, 28))],
)
def test_suspension_deadline_is_two_years(suspended, deadline):
    assert r.suspension_deadline(suspended) == deadline


@given(on=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)), months=st.sampled_from([6, 24]))
def test_latest_start_due_is_exactly_the_last_start_whose_deadline_has_come(on, months):
    start = r.latest_start_due(on, months)
    assert r.add_months(start, months) <= on
    assert r.add_months(start + dt.timedelta(days=1), months) > on


# --- any sequence of events ----------------------------------------------------------------------------

kinds = st.sampled_from(sorted(r.EVENT_LABELS))


@st.composite
def histories(draw):
    n = draw(st.integers(1, 12))
    day = dt.date(2000, 1, 1)
    out = []
    for i in range(n):
        day += dt.timedelta(days=draw(st.integers(0, 400)))
        # Mostly start with an entry event, so that histories get past the first step.
        kind = draw(st.sampled_from(sorted(r.INITIAL_KINDS)) if i == 0 and draw(st.booleans()) else kinds)
        out.append(Event(
            kind=kind, date=day, org_id=draw(st.integers(1, 3)), from_org_id=draw(st.none() | st.integers(1, 3)),
            status=draw(st.sampled_from([None, r.FULL, r.PROBATIONARY])), months=draw(st.integers(0, 14)),
            joined_on=draw(st.none() | st.just(day - dt.timedelta(days=400))),
            converted_on=draw(st.none() | st.just(day - dt.timedelta(days=30))),
        ))
    return out


@settings(max_examples=400)
@given(histories())
def test_any_history_is_refused_in_chinese_or_gives_consistent_states(events):
    states = []
    state = MemberState()
    for e in events:
        try:
            state = r.apply_event(state, e)
        except MembershipRuleError as exc:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))  # a Chinese message
            with pytest.raises(MembershipRuleError):
                r.replay(events)
            return
        states.append(state)
    assert r.replay(events) == states
    for s, e in zip(states, events, strict=True):
        assert s.status in r.STATUS_LABELS
        if s.status == r.PROBATIONARY:
            assert s.probation_ends_on is not None and s.admitted_on is not None
        if s.status in r.TERMINAL:
            assert not s.is_mobile and not s.is_lost_contact, (e.kind, s)
        if s.status == r.SUSPENDED:
            assert s.suspended_on is not None
        if s.is_lost_contact:
            assert s.lost_contact_on is not None
        if s.converted_on and s.admitted_on:
            assert s.converted_on >= s.admitted_on
