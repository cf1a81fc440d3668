"""Writing the demo county: one transaction, bulk inserts in batches, one audit event.

The organization tree goes in level by level with the materialized paths computed in the plan (what
treebeard's ``add_child`` would write, without a query per node); members and their events stream in
batches of ``batch`` members, so memory stays flat however many members are asked for. Personal data
is encrypted and hashed with the platform's own functions, and snapshots come from ``rules.replay``
(see ``people``), so every row is what the services would have written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.common import crypto
from dangjian.common.audit import audit_record
from dangjian.common.models import PlatformSetting
from dangjian.demo import accounts as demo_accounts
from dangjian.demo import county as cty
from dangjian.demo import files as demo_files
from dangjian.demo import oversight as demo_oversight
from dangjian.demo import recruitment as demo_recruitment
from dangjian.demo import scales
from dangjian.demo.bulk import FastInsert
from dangjian.demo.people import MemberPlan, MemberPlanner
from dangjian.members.models import Member, MembershipEvent
from dangjian.members.pinyin import name_keys
from dangjian.orglife import params as orglife_params
from dangjian.orgs.models import Division, Org, OrgEvent, OrgType, Unit

BATCH = 2000


@dataclass
class LoadSummary:
    orgs: int = 0
    units: int = 0
    divisions: int = 0
    members: int = 0
    events: int = 0
    users: int = 0
    seconds: float = 0.0
    org_pks: dict[int, int] = field(default_factory=dict)


@lru_cache(maxsize=65536)
def _pinyin(name: str) -> tuple[str, str]:
    return name_keys(name)


def load_demo(*, members: int = 20000, seed: int = 1, today: dt.date | None = None,
              out: Callable[[str], None] = print, batch: int = BATCH, counties: int = 1,
              files_dir: Path | None = None, load: bool = True) -> LoadSummary:
    """Build the demo county — or ``counties`` of them (a city, a province; see ``scales``) sharing
    ``members`` between them — into an empty database (the caller checks it is empty), and/or write it
    as national-column import files into ``files_dir``. Counties are planned and written one after the
    other and members stream in batches, so memory does not grow with the number of counties."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    summary = LoadSummary()
    idents = scales.identities(counties)
    shares = scales.members_per_county(members, counties)
    shared_id_seq: dict[tuple[str, dt.date], int] = {}
    sink = demo_files.XlsxSink(files_dir, today) if files_dir is not None else None
    with transaction.atomic() if load else contextlib.nullcontext():
        if load:
            crypto.check_key_matches_database()
        first_county: Org | None = None
        for ident, share in zip(idents, shares, strict=True):
            plan = cty.build_county(random.Random(f"{seed}:tree" if ident.number == 0 else f"{seed}:tree:{ident.number}"),
                                    today)
            scales.apply_identity(plan, ident)
            planner = MemberPlanner(plan, members=share, seed=seed if ident.number == 0 else f"{seed}:{ident.number}",
                                    today=today, identity=ident, shared_id_seq=shared_id_seq)
            out(f"示范县：{ident.name}（{len(plan.orgs)} 个党组织，{len(plan.units)} 个单位，{len(plan.divisions)} 个行政区划）")
            if sink is not None:
                sink.orgs(plan)
            writer: _MemberWriter | None = None
            org_pks: dict[int, int] = {}
            if load:
                div_pks = _write_divisions(plan)
                unit_pks = _write_units(plan, div_pks)
                org_pks = _write_orgs(plan, div_pks, unit_pks)
                if ident.number == 0:
                    summary.org_pks = org_pks
                summary.divisions += len(div_pks)
                summary.units += len(unit_pks)
                summary.orgs += len(org_pks)
                out(f"  党组织、单位、行政区划已写入（{time.perf_counter() - started:.1f} 秒）")
                writer = _MemberWriter(org_pks, org_pks[plan.county])
            else:
                summary.orgs += len(plan.orgs)
            stream = iter(planner)
            done = 0
            while True:
                chunk = list(itertools.islice(stream, batch))
                if not chunk:
                    break
                n_members, n_events = writer.write(chunk) if writer is not None else (len(chunk), sum(
                    len(m.events) for m in chunk))
                if sink is not None:
                    sink.members(plan, chunk)
                done += n_members
                summary.members += n_members
                summary.events += n_events
                out(f"  党员 {done}/{planner.total}，组织关系事项 {summary.events}"
                    f"（{time.perf_counter() - started:.1f} 秒）")
            if writer is None:
                continue
            writer.finish()
            _finish_orgs(plan, planner, org_pks)
            if ident.number == 0:
                out("  创建示范账号（argon2 口令散列，约需数秒）……")
                users = demo_accounts.create_accounts(plan, planner, org_pks, writer.account_member_pks, seed=seed)
                summary.users = len(users)
                first_county = Org.objects.get(pk=org_pks[plan.county])
                # Membership development in the demo county only (the benchmark counties stay as they were).
                demo_recruitment.load_recruitment(
                    actor=next(u for u in users if u.username == "admin"), county=first_county, members=share, seed=seed,
                    today=today, out=out, account_branches=[Org.objects.get(pk=org_pks[i]) for i in
                                                            plan.account_branches.values()])  # fmt: skip
        if sink is not None:
            sink.close()
            out(f"  导入文件已写入 {files_dir}：{', '.join(sink.names)}")
        if load and first_county is not None:
            # The demo county starts keeping organizational-life records in Dangjian this month, as a
            # county adopting the platform would: without a start month every member's six-month
            # lapse count would run from the day they joined, years before any meeting was recorded.
            PlatformSetting.objects.update_or_create(
                key=orglife_params.RECORDS_START, defaults={"value": today.year * 100 + today.month}
            )
            # Supervision, assessment, points and rectification (demo county only), once the records-start
            # month is set: the weak-organization scan judges organizational life from that month on.
            demo_oversight.load_oversight(actor=User.objects.get(username="admin"), county=first_county, seed=seed,
                                          today=today, out=out)
            audit_record(
                actor=None, action="demo.load", org=first_county, target=first_county,
                changes={"orgs": [None, summary.orgs], "units": [None, summary.units],
                         "members": [None, summary.members], "events": [None, summary.events],
                         "users": [None, summary.users], "counties": [None, counties]},
                reason=f"载入示范县数据（seed={seed}，党员{members}名，{counties}个县）",
            )
    if load:
        # Planner statistics for what was just written. Without them SQLite answers a subtree's member
        # counts through the one-column ``status`` index — every on-roster member of the database, each
        # joined to its organization — instead of the path range and the (org, status) index: at two
        # counties the county page's subtree queries take ~250 ms each instead of ~25 ms (see
        # docs/benchmarks.md). PostgreSQL's autovacuum would get there on its own, later.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        out(f"  已更新查询统计信息 ANALYZE（{time.perf_counter() - started:.1f} 秒）")
    summary.seconds = time.perf_counter() - started
    out(f"完成：{summary.orgs} 个党组织，{summary.members} 名党员，{summary.events} 条组织关系事项，"
        f"{summary.users} 个示范账号，用时 {summary.seconds:.1f} 秒。")
    return summary


def _write_divisions(plan: cty.CountyPlan) -> dict[int, int]:
    pks: dict[int, int] = {}
    pending = list(plan.divisions)
    while pending:  # parents first: one insert per level
        ready = [d for d in pending if d.parent is None or d.parent in pks]
        rows = [Division(code=d.code, name=d.name, level=d.level, parent_id=pks.get(d.parent) if d.parent is not None
                         else None) for d in ready]
        Division.objects.bulk_create(rows)
        for d, row in zip(ready, rows, strict=True):
            pks[d.idx] = row.pk
        pending = [d for d in pending if d.idx not in pks]
    return pks


def _write_units(plan: cty.CountyPlan, div_pks: dict[int, int]) -> dict[int, int]:
    rows = [Unit(name=u.name, credit_code=u.credit_code, nature=u.nature, org_building=u.org_building,
                 employees=u.employees, division_id=div_pks.get(u.division) if u.division is not None else None,
                 address=u.address, supervisor=u.supervisor) for u in plan.units]
    Unit.objects.bulk_create(rows)
    return {u.idx: row.pk for u, row in zip(plan.units, rows, strict=True)}


def _write_orgs(plan: cty.CountyPlan, div_pks: dict[int, int], unit_pks: dict[int, int]) -> dict[int, int]:
    pks: dict[int, int] = {}
    county_idx = plan.county
    for depth in sorted({o.depth for o in plan.orgs}):
        level = [o for o in plan.orgs if o.depth == depth]
        rows = []
        for o in level:
            rows.append(Org(
                path=o.path, depth=o.depth, numchild=o.numchild, name=o.name, short_name=o.short_name,
                stats_name=o.stats_name, code=o.code, org_type=o.org_type, category=o.category,
                unit_situation=o.unit_situation, division_id=div_pks.get(o.division) if o.division is not None else None,
                approving_org_id=pks.get(o.approving_org) if o.approving_org is not None else None,
                established_on=o.established_on, dissolved_on=o.dissolved_on, secretary_name=o.secretary_name,
                contact_name=o.contact_name, contact_phone=o.contact_phone,
                can_approve_probationary=o.can_approve_probationary, is_new_business=o.is_new_business,
                committee_size=o.committee_size, term_started_on=o.term_started_on, term_years=o.term_years,
                county_id=pks.get(county_idx) if o.idx != county_idx else None,
            ))
        Org.objects.bulk_create(rows)
        for o, row in zip(level, rows, strict=True):
            pks[o.idx] = row.pk
    through = Org.units.through
    through.objects.bulk_create([through(org_id=pks[o.idx], unit_id=unit_pks[u]) for o in plan.orgs for u in o.units])
    events = []
    for o in plan.orgs:
        first_name, first_type = o.name, o.org_type
        for e in o.events:
            if e.kind == "renamed":
                first_name = e.changes["name"][0]
            if e.kind == "type_changed":
                first_type = e.changes["org_type"][0]
        events.append(OrgEvent(org_id=pks[o.idx], kind="established", date=o.established_on, doc_number=o.doc_number,
                               changes={"name": first_name, "org_type": first_type}))
        events += [OrgEvent(org_id=pks[o.idx], kind=e.kind, date=e.date, doc_number=e.doc_number, changes=e.changes,
                            note=e.note, other_org_id=pks[e.other_org] if e.other_org is not None else None)
                   for e in o.events]
    OrgEvent.objects.bulk_create(sorted(events, key=lambda e: (e.date, e.org_id)))
    return pks


class _MemberWriter:
    """Members and their events, batch by batch, with primary keys assigned here (see demo.bulk)."""

    def __init__(self, org_pks: dict[int, int], county_pk: int) -> None:
        self.org_pks = org_pks
        self.county_pk = county_pk
        self.members = FastInsert(Member)
        self.events = FastInsert(MembershipEvent)
        self.next_member = self.members.next_id()
        self.next_event = self.events.next_id()
        self.account_member_pks: dict[int, int] = {}

    def write(self, chunk: list[MemberPlan]) -> tuple[int, int]:
        org_pks = self.org_pks
        members, events = [], []
        for m in chunk:
            pk = self.next_member
            self.next_member += 1
            if m.plain:
                self.account_member_pks[m.index] = pk
            full, initials = _pinyin(m.name)
            st = m.state
            members.append({
                "id": pk, "name": m.name, "name_pinyin": full, "name_initials": initials, "sex": m.sex,
                "id_number_enc": crypto.encrypt(m.id_number), "id_number_hash": crypto.keyed_hash(m.id_number),
                "id_number_masked": crypto.mask_id_number(m.id_number), "ethnicity": m.ethnicity,
                "birth_date": m.birth_date, "education": m.education, "degree": m.degree,
                "personnel_category": m.personnel_category, "phone_enc": crypto.encrypt(m.phone),
                "phone_hash": crypto.keyed_hash(m.phone), "phone_masked": crypto.mask_phone(m.phone),
                "new_social_stratum": m.new_social_stratum, "job": m.job, "professional_title": m.professional_title,
                "is_migrant_worker": m.is_migrant_worker, "registered_residence": m.registered_residence,
                "current_residence": m.current_residence,
                # the cache columns, as members.services._apply writes them
                "org_id": org_pks[st.org_id] if st.org_id is not None else None, "status": st.status or "",
                "joined_on": st.admitted_on, "converted_on": st.converted_on, "probation_ends_on": st.probation_ends_on,
                "is_mobile": st.is_mobile, "is_lost_contact": st.is_lost_contact, "lost_contact_on": st.lost_contact_on,
                "suspended_on": st.suspended_on, "county_id": self.county_pk,
            })
            for e in m.events:
                events.append({
                    "id": self.next_event, "member_id": pk, "kind": e.kind, "date": e.date, "seq": e.seq,
                    "from_org_id": org_pks[e.from_org] if e.from_org is not None else None,
                    "to_org_id": org_pks[e.to_org] if e.to_org is not None else None,
                    "letter_number": e.letter_number, "out_date": e.out_date, "status_in": e.status_in,
                    "joined_on": e.joined_on, "converted_on": e.converted_on, "months": e.months, "reason": e.reason,
                    "note": e.note, "org_after_id": org_pks[e.org_after] if e.org_after is not None else None,
                    "status_after": e.status_after, "mobile_after": e.mobile_after, "lost_after": e.lost_after,
                    "recorded_by_id": None,
                })
                self.next_event += 1
        return self.members.insert(members), self.events.insert(events)

    def finish(self) -> None:
        self.members.reset_sequence()
        self.events.reset_sequence()


def _finish_orgs(plan: cty.CountyPlan, planner: MemberPlanner, org_pks: dict[int, int]) -> None:
    """Now that the members are known: secretaries are members of their branch, and branches with 7 or
    more full members have a committee (3 or 5) — except the few planted not to (R3.5)."""
    rows = []
    for o in plan.orgs:
        if not o.holds_members:
            continue
        full = planner.full_members.get(o.idx, 0)
        secretary = planner.secretaries.get(o.idx)
        o.committee_size = 0 if full < 7 or "no_committee" in o.flags else 5 if full > 30 else 3
        if o.org_type == OrgType.GENERAL_BRANCH:
            o.committee_size = 5
        if secretary:
            o.secretary_name = secretary[0]
            if o.is_village_level and secretary[1]:
                o.contact_phone = secretary[1]
        rows.append(Org(pk=org_pks[o.idx], committee_size=o.committee_size, secretary_name=o.secretary_name,
                        contact_phone=o.contact_phone))
    Org.objects.bulk_update(rows, ["committee_size", "secretary_name", "contact_phone"], batch_size=500)
