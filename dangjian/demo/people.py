"""The demo county's members and their membership events, planned as plain data, streamed.

Every member gets a history that the platform's own rules accept: most were 补录 (recorded, with their
admission and conversion dates) when their organization's records were taken up, or when the
organization was set up; members admitted in the last few years were 接收为预备党员 and converted a
year later (a few had probation extended); some moved between the county's organizations (with a
unique letter number), came from or left for another county, went away as mobile members and came back,
lost contact, were suspended and removed, or died. ``rules.replay`` computes the snapshot after every
event and the member's cached state, exactly as ``members.services`` does, and refuses anything the
rules refuse, so a plan that breaks a rule fails loudly here instead of loading bad history.

The planner is a generator over organizations in tree order; it keeps only per-organization counters,
never the whole roster, so it scales to a city or province.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from dangjian.common import idnumbers
from dangjian.demo import county as cty
from dangjian.demo import names, scales
from dangjian.demo.profiles import (
    PROFILES,
    Profile,
    sample_age,
    sample_education,
    sample_occupation,
    sample_title,
)
from dangjian.members import rules
from dangjian.members.rules import add_months, add_years

# Scenarios planted at fixed counts (at least a couple each) so the work queue always has content.
SCENARIO_RATES = {
    "lost_nearing": (0.0002, 2),  # lost contact about 5 months ago: the 6-month deadline is close
    "lost_past": (0.0002, 2),  # lost contact 7-11 months ago: past the deadline, not yet suspended
    "lost_restored": (0.0003, 0),
    "suspended_nearing": (0.0001, 2),  # suspended about 23 months ago: removal (2 years) is close
    "suspended": (0.0001, 1),
    "removed": (0.0001, 1),  # suspended over 2 years ago, then removed as self-lapsed
    "extended_now": (0.0002, 2),  # probation extended, still probationary today
}
SCENARIO_PROFILES = frozenset({"village", "community", "private_enterprise", "state_enterprise", "social_org",
                               "township_organ", "agency", "school", "hospital"})
NEIGHBOUR_ABBR = ("于", "兴", "瑞", "大", "安", "南", "赣")
_MINORITIES = [code for code, w in cty.MINORITY_CODES[1:] for _ in range(w)]

# Birthplace code histories: the first code valid in the birth year is used (codes change: the county's
# own was 362123 until 1998, 360722 since). Neighbouring counties of 赣州, then other provinces.
LOCAL = (cty.COUNTY_CODE_HISTORY,)
NEIGHBOURS = (("360723", "362124"), ("360781", "362102", "362134"), ("360731", "362132"), ("360732", "362133"),
              ("360702", "362101"), ("360726", "362127"), ("360728", "362129"), ("360729", "362130"),
              ("360730", "362131"), ("360102",), ("360403",))  # fmt: skip
ELSEWHERE = (("430104",), ("440106",), ("350102",), ("420106",), ("450103",), ("441302",), ("330106",), ("110101",))


def _move_reason(home: cty.OrgSpec) -> str:
    if home.family.startswith("village:"):
        return "婚嫁迁居"
    if home.family == "community":
        return "居住地变动"
    return "工作调动"


@lru_cache(maxsize=4096)
def _valid(code: str, year: int) -> bool:
    return idnumbers.birthplace_valid(code, year)


def birthplace(history: tuple[str, ...], year: int) -> str | None:
    for code in history:
        if _valid(code, year):
            return code
    return None


@dataclass
class EventPlan:
    kind: str
    date: dt.date
    to_org: int | None = None  # organization index in the CountyPlan
    from_org: int | None = None
    status_in: str = ""
    joined_on: dt.date | None = None
    converted_on: dt.date | None = None
    months: int | None = None
    reason: str = ""
    letter_number: str = ""
    out_date: dt.date | None = None
    note: str = ""
    seq: int = 0
    # the snapshot after this event (rules.replay)
    org_after: int | None = None
    status_after: str = ""
    mobile_after: bool = False
    lost_after: bool = False

    def rule_event(self) -> rules.Event:
        """What MembershipEvent.as_rule_event gives for the stored row."""
        return rules.Event(kind=self.kind, date=self.date, org_id=self.to_org, from_org_id=self.from_org,
                           status=self.status_in or None, joined_on=self.joined_on, converted_on=self.converted_on,
                           months=self.months)


@dataclass
class MemberPlan:
    index: int
    name: str
    sex: str
    id_number: str
    ethnicity: str
    birth_date: dt.date
    education: str
    degree: str
    personnel_category: str
    phone: str
    new_social_stratum: str
    job: str
    professional_title: str
    is_migrant_worker: bool
    registered_residence: str
    current_residence: str
    events: list[EventPlan] = field(default_factory=list)
    state: rules.MemberState = field(default_factory=rules.MemberState)
    scenario: str = ""
    plain: bool = False  # the account member of a demo branch: an ordinary full member, nothing else


def allocate(weights: list[float], total: int) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, deterministic)."""
    w_sum = sum(weights)
    if w_sum <= 0 or total <= 0:
        return [0] * len(weights)
    raw = [w * total / w_sum for w in weights]
    counts = [int(x) for x in raw]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


class MemberPlanner:
    def __init__(self, plan: cty.CountyPlan, *, members: int, seed: int | str, today: dt.date,
                 identity: scales.CountyIdentity = scales.DEFAULT_IDENTITY,
                 shared_id_seq: dict[tuple[str, dt.date], int] | None = None) -> None:
        self.plan = plan
        self.today = today
        # Several counties (a city, a province) share the sequence numbers of the birthplaces outside
        # them, so two counties never make the same ID number; each county's own codes are its alone, so
        # their counters die with the planner and memory stays flat however many counties follow.
        self.identity = identity
        self.local = (identity.code_history,)
        self.local_codes = frozenset(identity.code_history)
        self.shared_id_seq: dict[tuple[str, dt.date], int] = {} if shared_id_seq is None else shared_id_seq
        self.rng = random.Random(f"{seed}:members")
        self.recent_start = dt.date(today.year - 5, 1, 1)
        self.history_start = dt.date(today.year - 8, 1, 1)
        self.holders = [o for o in plan.orgs if o.holds_members]
        # fixed shapes: the tiny branch keeps 2 members, the demo-account branches have a few at least
        fixed: dict[int, int] = {}
        if members >= 100:
            for o in self.holders:
                if "few_members" in o.flags:
                    fixed[o.idx] = 2
                elif "account_branch" in o.flags:
                    fixed[o.idx] = max(6, round(o.weight * members / sum(h.weight for h in self.holders)))
        rest = [o for o in self.holders if o.idx not in fixed]
        self.counts = dict(zip([o.idx for o in rest], allocate([o.weight for o in rest], members - sum(fixed.values())),
                               strict=True))
        self.counts.update(fixed)
        counts = list(self.counts.values())
        self.total = sum(counts)
        self.families: dict[str, list[int]] = {}
        for o in self.holders:
            if o.family and o.dissolved_on is None:
                self.families.setdefault(o.family, []).append(o.idx)
        self.township_names = {idx: name for name, idx in plan.named.items()}
        self.schedule = self._schedule(seed)
        self.id_seq: dict[tuple[str, dt.date], int] = {}
        self.letters: dict[int, int] = {}
        self.outside_letters: dict[int, int] = {}
        # per-organization facts the loader writes back (committee size, secretary)
        self.full_members: dict[int, int] = {}
        self.secretaries: dict[int, tuple[str, str]] = {}
        self.account_members: dict[int, int] = {}  # org index → member plan index

    # --- scenarios ----------------------------------------------------------------------------------
    def _schedule(self, seed: int | str) -> dict[int, str]:
        rng = random.Random(f"{seed}:schedule")
        starts: list[int] = []
        spans: list[tuple[int, int]] = []  # (global index of the first eligible slot, eligible slots)
        eligible = 0
        g = 0
        for o in self.holders:
            n = self.counts[o.idx]
            # (organizations of some standing: the planted histories go back up to four years)
            if o.profile in SCENARIO_PROFILES and o.dissolved_on is None and n > 0 \
                    and o.established_on <= add_years(self.today, -5):
                skip = 1 if "account_branch" in o.flags else 0
                if n - skip > 0:
                    starts.append(eligible)
                    spans.append((g + skip, n - skip))
                    eligible += n - skip
            g += n
        wanted: list[str] = []
        for name, (rate, least) in SCENARIO_RATES.items():
            wanted += [name] * max(least, round(self.total * rate))
        if eligible < len(wanted):
            wanted = wanted[:eligible]
        picks = rng.sample(range(eligible), len(wanted))
        out: dict[int, str] = {}
        for pos, scenario in zip(picks, wanted, strict=True):
            k = bisect.bisect_right(starts, pos) - 1
            first, _ = spans[k]
            out[first + pos - starts[k]] = scenario
        return out

    # --- helpers ------------------------------------------------------------------------------------
    def _between(self, lo: dt.date, hi: dt.date) -> dt.date:
        if hi <= lo:
            return lo
        return lo + dt.timedelta(days=self.rng.randrange((hi - lo).days + 1))

    def _id_number(self, p: Profile, birth: dt.date, sex: str) -> str:
        rng = self.rng
        local_share = 0.92 if p.key in ("village", "community", "township_organ", "retired_cadre", "retired_staff",
                                         "student") else 0.72
        x = rng.random()
        local = self.local
        groups = local if x < local_share else NEIGHBOURS if x < local_share + (1 - local_share) * 0.7 else ELSEWHERE
        for _ in range(10):
            code = birthplace(rng.choice(groups), birth.year) or birthplace(local[0], birth.year)
            assert code is not None
            seqs = self.id_seq if code in self.local_codes else self.shared_id_seq
            n = seqs.get((code, birth), 0)
            if n < 500:
                seqs[(code, birth)] = n + 1
                return idnumbers.make(code, birth, n, sex)
            groups = NEIGHBOURS
        raise RuntimeError(f"no ID sequence left for {birth}")

    def _letter(self, year: int) -> str:
        n = self.letters.get(year, 0) + 1
        self.letters[year] = n
        return f"{self.identity.letter_abbr}组介〔{year}〕{n:04d}号"

    def _outside_letter(self, year: int) -> str:
        n = self.outside_letters.get(year, 0) + 1
        self.outside_letters[year] = n
        return f"{self.rng.choice(NEIGHBOUR_ABBR)}组介〔{year}〕{n:04d}号"

    def _locality(self, o: cty.OrgSpec) -> str:
        county = f"{self.identity.province}{self.identity.prefecture}{self.identity.name}"
        township = self.township_names.get(o.township or -1, "")
        if o.place and township:
            return f"{county}{township}{o.place}"
        return county

    # --- the stream ---------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[MemberPlan]:
        g = 0
        for o in self.holders:
            for k in range(self.counts[o.idx]):
                yield self.plan_member(o, g, plain=(k == 0 and "account_branch" in o.flags))
                g += 1

    def plan_member(self, org: cty.OrgSpec, index: int, *, plain: bool = False) -> MemberPlan:
        rng = self.rng
        today = self.today
        assert org.profile is not None
        p = PROFILES[org.profile]
        scenario = self.schedule.get(index, "")
        age = sample_age(rng, p, 27 if scenario else (30 if plain else None))
        birth = add_years(today, -age) - dt.timedelta(days=rng.randint(1, 364))
        female = min(0.9, p.female * (1.3 if age <= 35 else 1.0 if age <= 60 else 0.75))
        sex = "2" if rng.random() < female else "1"
        ethnicity = "01"
        clan: list[str] = list(org.clan)
        if org.minority_share and rng.random() < org.minority_share:
            ethnicity = "22"
            clan = list(names.SHE_SURNAMES)
        elif rng.random() < 0.012:
            ethnicity = rng.choice(_MINORITIES)
        name = names.person_name(rng, sex, birth.year, clan, 0.75 if ethnicity == "22" else 0.55 if sex == "1" else 0.25)
        education = sample_education(rng, p, age)
        degree = {"doctorate": "doctor", "master": "master"}.get(education, "")
        if education == "bachelor" and rng.random() < 0.8:
            degree = "bachelor"
        occupation = sample_occupation(rng, p, age, sex)
        jobs = p.jobs.get(occupation, ())
        job = rng.choice(jobs) if jobs else ""
        title = sample_title(rng, p, job, age) if occupation == "professional" else ""
        stratum = ""
        if org.profile == "private_enterprise" and occupation in ("manager", "professional"):
            stratum = "private_enterprise_staff"
        elif org.profile == "social_org":
            stratum = "intermediary"
        elif org.profile == "community" and occupation == "other" and age < 50:
            stratum = rng.choice(("freelancer", "freelancer", "new_media", ""))
        locality = self._locality(org)
        if org.place and org.category == cty.Cat.RURAL:
            registered = f"{locality}{rng.randint(1, 14)}组"
        elif org.place:
            registered = f"{locality}{rng.choice(names.STREETS)}{rng.randint(1, 200)}号"
        else:
            registered = names.town_address(rng, locality)
        phone = names.mobile(rng) if rng.random() < (0.97 if age < 75 else 0.7) else ""
        m = MemberPlan(
            index=index, name=name, sex=sex, id_number=self._id_number(p, birth, sex), ethnicity=ethnicity,
            birth_date=birth, education=education, degree=degree, personnel_category=occupation, phone=phone,
            new_social_stratum=stratum, job=job, professional_title=title,
            is_migrant_worker=org.profile == "village" and occupation == "worker", registered_residence=registered,
            current_residence=registered, scenario=scenario, plain=plain,
        )
        m.events = self._history(m, org, p, age)
        self._replay(m, org)
        return m

    # --- history ------------------------------------------------------------------------------------
    def _join_date(self, p: Profile, birth: dt.date, age: int) -> dt.date:
        rng = self.rng
        adult18 = add_years(birth, 18)  # 入党年龄：年满十八岁; members are at least 18 today
        latest = self.today - dt.timedelta(days=20)
        adult = min(adult18 + dt.timedelta(days=rng.randint(0, 60)), max(adult18, latest))
        mu, sd = p.join_age
        for _ in range(6):
            ja = rng.gauss(mu, sd)
            if 18 <= ja <= age:
                joined = add_years(birth, int(ja)) + dt.timedelta(days=rng.randint(0, 364))
                if adult <= joined <= latest:
                    return joined
        return self._between(adult, max(adult, latest))

    def _history(self, m: MemberPlan, home: cty.OrgSpec, p: Profile, age: int) -> list[EventPlan]:
        rng = self.rng
        today = self.today
        plan = self.plan
        birth = m.birth_date
        joined = self._join_date(p, birth, age)
        scenario = m.scenario
        if scenario == "extended_now":
            joined = max(today - dt.timedelta(days=365 + rng.randint(10, 120)), add_years(birth, 18))
        elif scenario or m.plain:
            limit = add_years(today, -5)
            if joined > limit:
                joined = self._between(add_years(birth, 19), limit)
        extended = scenario == "extended_now" or (not scenario and not m.plain and rng.random() < 0.03)
        ext_months = rng.choice((6, 12))
        due = add_years(joined, 1)
        if scenario == "extended_now":
            ext_months = 12 if add_months(due, 6) <= today else rng.choice((6, 12))
        converted = add_months(due, ext_months) if extended else due

        # where the history starts: a predecessor (merged village, split branch), another organization
        # of the county, or the member's own
        origin: cty.OrgSpec | None = None
        move_on: dt.date | None = None
        move_note, move_letter = "", True
        if home.predecessor is not None and home.predecessor_on and rng.random() < home.predecessor_share \
                and joined < home.predecessor_on - dt.timedelta(days=400):
            origin, move_on = plan.orgs[home.predecessor], home.predecessor_on
            move_note, move_letter = home.predecessor_note, False
        elif not scenario and not m.plain and home.family and rng.random() < p.transfer_rate:
            others = [i for i in self.families.get(home.family, []) if i != home.idx]
            if others:
                origin = plan.orgs[rng.choice(others)]
        transfer_in = not scenario and not m.plain and origin is None and rng.random() < p.transfer_in_rate

        def entry_for(o: cty.OrgSpec) -> EventPlan:
            est = o.established_on
            if transfer_in:
                lo = max(joined + dt.timedelta(days=30), est, self.history_start)
                hi = today - dt.timedelta(days=15)
                if lo < hi:
                    d = self._between(lo, hi)
                    return self._arrival(rules.TRANSFER_IN, d, o, joined, converted, extended, outside=True)
            if joined >= self.recent_start and joined >= est:
                return EventPlan(rules.ADMITTED, joined, to_org=o.idx, joined_on=joined,
                                 note="支部党员大会讨论通过，上级党委审批")
            if joined >= self.recent_start:  # joined elsewhere, came when this organization was set up
                d = min(self._between(est, est + dt.timedelta(days=60)), today)
                return self._arrival(rules.TRANSFER_IN, d, o, joined, converted, extended, outside=True)
            d = max(converted, est)
            return self._arrival(rules.RECORDED, d, o, joined, converted, extended, outside=False)

        events: list[EventPlan] = []
        entry = entry_for(origin or home)
        if origin is not None:
            if move_on is None:  # an ordinary transfer within the county
                lo = max(entry.date + dt.timedelta(days=90), home.established_on, self.history_start)
                hi = today - dt.timedelta(days=10)
                if lo < hi:
                    move_on = self._between(lo, hi)
            if move_on is None or entry.date >= move_on:
                origin, move_on = None, None
                entry = entry_for(home)
        events.append(entry)
        if entry.kind == rules.ADMITTED or entry.status_in == rules.PROBATIONARY:
            if extended:
                ext_on = min(due + dt.timedelta(days=rng.randint(0, 10)), today)
                if due <= today:
                    events.append(EventPlan(rules.PROBATION_EXTENDED, max(ext_on, entry.date), months=ext_months,
                                            note="预备期表现需进一步考察，支部党员大会决定延长预备期"))
            if converted <= today:
                events.append(EventPlan(rules.CONVERTED, converted, note="支部党员大会讨论通过，按期转正"))
        if origin is not None and move_on is not None:
            out = move_on - dt.timedelta(days=rng.randint(0, 7)) if move_letter else move_on
            events.append(EventPlan(rules.TRANSFER, move_on, to_org=home.idx, from_org=origin.idx,
                                    letter_number=self._letter(move_on.year) if move_letter else "",
                                    out_date=max(out, entry.date), note=move_note or _move_reason(home)))
        settled = max(e.date for e in events) + dt.timedelta(days=30)
        start = max(settled, self.history_start)

        if scenario:
            events += self._scenario(scenario, start)
        elif not m.plain:
            events += self._ordinary(m, p, age, start)
        return self._truncate(events)

    def _arrival(self, kind: str, d: dt.date, o: cty.OrgSpec, joined: dt.date, converted: dt.date, extended: bool,
                 *, outside: bool) -> EventPlan:
        full = converted <= d
        ev = EventPlan(kind, d, to_org=o.idx, status_in=rules.FULL if full else rules.PROBATIONARY, joined_on=joined,
                       converted_on=converted if full else None)
        if outside and kind == rules.TRANSFER_IN:
            ev.letter_number = self._outside_letter(d.year)
            ev.out_date = d - dt.timedelta(days=self.rng.randint(3, 20))
            ev.note = "从县外转入"
        else:
            ev.note = "历史数据补录"
        if extended and full:
            ev.note += "（预备期曾延长）"
        return ev

    def _scenario(self, scenario: str, start: dt.date) -> list[EventPlan]:
        rng = self.rng
        today = self.today
        out: list[EventPlan] = []
        if scenario == "lost_nearing":
            lost = add_months(today, -5) - dt.timedelta(days=rng.randint(0, 25))
            out.append(EventPlan(rules.LOST_CONTACT, lost, note="外出后失去联系，正在多方查找"))
        elif scenario == "lost_past":
            lost = add_months(today, -rng.randint(7, 11)) - dt.timedelta(days=rng.randint(0, 20))
            out.append(EventPlan(rules.LOST_CONTACT, lost, note="外出后失去联系，正在多方查找"))
        elif scenario == "lost_restored":
            lost = self._between(start, today - dt.timedelta(days=200))
            out.append(EventPlan(rules.LOST_CONTACT, lost, note="外出后失去联系"))
            out.append(EventPlan(rules.CONTACT_RESTORED, lost + dt.timedelta(days=rng.randint(30, 150)),
                                 note="已恢复联系，按时参加组织生活"))
        elif scenario in ("suspended_nearing", "suspended", "removed"):
            if scenario == "suspended_nearing":
                suspended = add_months(today, -23) - dt.timedelta(days=rng.randint(0, 20))
            elif scenario == "suspended":
                suspended = add_months(today, -rng.randint(3, 15))
            else:
                suspended = add_months(today, -rng.randint(26, 40))
            lost = add_months(suspended, -6) - dt.timedelta(days=rng.randint(0, 40))
            out.append(EventPlan(rules.LOST_CONTACT, lost, note="外出后失去联系"))
            out.append(EventPlan(rules.SUSPEND, suspended, note="失联满6个月，经多方查找仍无音讯，停止党籍"))
            if scenario == "removed":
                removed = min(add_months(suspended, 24) + dt.timedelta(days=rng.randint(0, 40)), today)
                out.append(EventPlan(rules.REMOVE, removed, reason="self_lapsed",
                                     note="停止党籍满2年仍无音讯，按自行脱党予以除名"))
        return [e for e in out if start <= e.date <= today] if scenario == "lost_restored" else out

    def _ordinary(self, m: MemberPlan, p: Profile, age: int, start: dt.date) -> list[EventPlan]:
        rng = self.rng
        today = self.today
        out: list[EventPlan] = []
        last = today - dt.timedelta(days=30)
        if start >= last:
            return out
        if p.mobile_rate and age <= 58 and rng.random() < p.mobile_rate:
            went = self._between(start, last)
            place = rng.choice(names.MOBILE_DESTINATIONS)
            out.append(EventPlan(rules.WENT_MOBILE, went, note=f"外出务工，流入地：{place}"))
            m.current_residence = place
            m.is_migrant_worker = m.is_migrant_worker or p.key == "village"
            back = went + dt.timedelta(days=rng.randint(90, 1400))
            if rng.random() < 0.45 and back <= today:
                out.append(EventPlan(rules.RETURNED, back, note="返乡"))
                m.current_residence = m.registered_residence
        if p.transfer_out_rate and age < 58 and rng.random() < p.transfer_out_rate:
            d = self._between(start, today - dt.timedelta(days=5))
            place = rng.choice(("江西省南昌市", "江西省赣州市", "广东省深圳市", "广东省广州市", "浙江省杭州市", "福建省厦门市"))
            out.append(EventPlan(rules.TRANSFER_OUT, d, letter_number=self._letter(d.year), out_date=d,
                                 note=f"转往{place}"))
        for year in range(start.year, today.year + 1):
            age_then = age - (today.year - year)
            q = (0.0015 if age_then < 50 else 0.004 if age_then < 60 else 0.01 if age_then < 70 else 0.03
                 if age_then < 80 else 0.08 if age_then < 90 else 0.18)
            if rng.random() < q:
                lo = max(start, dt.date(year, 1, 1))
                hi = min(today - dt.timedelta(days=1), dt.date(year, 12, 31))
                if lo <= hi:
                    out.append(EventPlan(rules.DIE, self._between(lo, hi), note="因病去世"))
                break
        return out

    @staticmethod
    def _truncate(events: list[EventPlan]) -> list[EventPlan]:
        """Date order (stable: the list order breaks ties); nothing after a terminal event."""
        events = sorted(events, key=lambda e: e.date)
        out: list[EventPlan] = []
        for e in events:
            out.append(e)
            if e.kind in (rules.DIE, rules.TRANSFER_OUT, rules.REMOVE):
                break
        seq_of: dict[dt.date, int] = {}
        for e in out:
            e.seq = seq_of.get(e.date, 0)
            seq_of[e.date] = e.seq + 1
        return out

    def _replay(self, m: MemberPlan, home: cty.OrgSpec) -> None:
        states = rules.replay(e.rule_event() for e in m.events)  # raises on a broken rule: a planner bug
        for e, st in zip(m.events, states, strict=True):
            e.org_after = st.org_id
            e.status_after = st.status or ""
            e.mobile_after = st.is_mobile
            e.lost_after = st.is_lost_contact
        m.state = states[-1]
        if not m.state.is_mobile:  # back home, or the trip was cut short by a later event
            m.current_residence = m.registered_residence
        if m.state.status != rules.FULL or m.state.org_id is None:
            return
        org = m.state.org_id
        self.full_members[org] = self.full_members.get(org, 0) + 1
        if m.plain:
            self.account_members[org] = m.index
        elif org not in self.secretaries and not m.state.is_mobile and not m.state.is_lost_contact \
                and 28 <= rules.age_on(m.birth_date, self.today) <= 62:
            self.secretaries[org] = (m.name, m.phone)
