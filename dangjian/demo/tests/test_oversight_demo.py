"""Supervision, assessment, points and rectification in the demo county (``dangjian.demo.oversight``), on
the small demo load of conftest: what a visiting county staff member must see after ``dangjian demo``."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.assessment import rules as arules
from dangjian.assessment import selectors as asel
from dangjian.assessment.models import Evaluation, Inspection, ItemScore, Result, Scheme
from dangjian.demo.oversight import AlreadyLoaded, load_oversight
from dangjian.orgs.models import Org, OrgType
from dangjian.points import rules as prules
from dangjian.points.models import BranchRating, MemberRating, Objection, PointsEntry, PointsScheme, Posting
from dangjian.rectification import rules as rrules
from dangjian.rectification import selectors as rsel
from dangjian.rectification.models import Acceptance, Case, Milestone, Plan
from dangjian.supervision import rules as srules
from dangjian.supervision import selectors as ssel
from dangjian.supervision.models import Item, Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_output")]


def _county() -> Org:
    return Org.objects.get(org_type=OrgType.COUNTY_COMMITTEE, depth=1)


def _admin() -> User:
    return User.objects.get(username="admin")


def test_progress_line(demo_output: str) -> None:
    lines = [x for x in demo_output.splitlines() if "督办与考核：" in x]
    assert len(lines) == 1 and "公布排名13个单位" in lines[0] and "已验收4个" in lines[0], lines


def test_this_quarters_boards_show_red_amber_and_green() -> None:
    today = timezone.localdate()
    county, admin = _county(), _admin()
    quarterly = Task.objects.get(issuer=county, recurrence=srules.QUARTERLY)
    oneoff = Task.objects.get(issuer=county, parent_item__isnull=True, recurrence=srules.ONCE, deadline__gte=today)
    tasks = [quarterly, oneoff]
    townships = Org.objects.filter(org_type=OrgType.TOWNSHIP_COMMITTEE, dissolved_on__isnull=True).count()
    for task in tasks:
        b = ssel.board(admin, task, today)
        assert b.light_counts[srules.RED] > 0 and b.light_counts[srules.AMBER] > 0 and b.light_counts[srules.GREEN] > 0, (
            task.title, b.light_counts)
        # every township receives it (once per period)
        assert {r.item.receiver_org_id for r in b.rows} and len({r.item.receiver_org_id for r in b.rows}) == townships
    assert 0 <= (oneoff.deadline - today).days <= 5  # due soon: amber 临期
    # 石门镇 cascaded it: its own light follows its villages' (one of them overdue) — red
    cascaded = Item.objects.get(task=oneoff, cascaded=True, receiver_org__name__contains="石门镇")
    assert ssel.item_lights([cascaded], today)[cascaded.pk].color == srules.RED
    assert Task.objects.filter(parent_item=cascaded).exists()


def test_items_in_every_state() -> None:
    today = timezone.localdate()
    items = list(Item.objects.all())
    accepted = [i for i in items if i.status == srules.ACCEPTED]
    assert any(i.accepted_on is not None and i.accepted_on <= i.deadline for i in accepted)  # on time
    assert any(i.accepted_on is not None and i.accepted_on > i.deadline for i in accepted)  # late
    assert any(i.status == srules.SUBMITTED and i.deadline >= today for i in items)  # awaiting review
    assert any(i.status == srules.SUBMITTED and i.deadline < today for i in items)  # submitted late, red
    assert any(i.status == srules.RETURNED for i in items)
    assert any(i.status == srules.ACKNOWLEDGED for i in items)
    assert any(i.status != srules.ACCEPTED and i.deadline < today for i in items)  # overdue
    assert any(i.returned_count > 0 and i.status == srules.ACCEPTED for i in items)  # returned, then accepted
    for i in Item.objects.filter(status=srules.RETURNED):
        assert i.events.filter(kind=srules.EV_RETURN).exclude(text="").exists()  # with its reason


def test_work_queues_of_the_demo_accounts() -> None:
    today = timezone.localdate()

    def groups(username: str) -> set[str]:
        return {i.group for i in ssel.work_items(User.objects.get(username=username), today)}

    assert {"supervision:review", "supervision:overdue"} <= groups("admin")  # review + escalated (包联领导)
    assert "supervision:overdue" in groups("shimen_shuji")  # the cascaded village item is red
    assert "supervision:review" in groups("shimen_zuzhi")  # its villages' submissions
    assert "supervision:reminder" in groups("fenggang_zuzhi")  # due in three days
    assert "supervision:reminder" in groups("fenggang_shuji")  # passed on to its branch, same deadline


def test_last_years_assessment_is_published_and_this_years_copy_is_active() -> None:
    year = timezone.localdate().year
    county = _county()
    last = Scheme.objects.get(year=year - 1, kind=arules.KIND_TOWNSHIP)
    assert last.status == arules.CLOSED and last.notice_start is not None
    leaves = asel.leaves(last)
    assert len(leaves) == 19 and last.nodes.filter(level=1).count() == 3
    assert sum(n.max_points for n in leaves) == 100
    assert {n.source for n in leaves} == set(arules.SOURCE_LABELS)
    ranking = asel.published_rankings(county, year - 1)
    townships = Org.objects.filter(org_type=OrgType.TOWNSHIP_COMMITTEE, dissolved_on__isnull=True).count()
    assert len(ranking) == townships
    assert min(r.rank for r in ranking) == 1 and all(r.grade for r in ranking)
    assert any(r.vetoed for r in ranking) and max(ranking, key=lambda r: r.rank).vetoed
    # every final score explains itself; platform items carry the records they came from
    platform = ItemScore.objects.filter(result__scheme=last, node__source=arules.SRC_PLATFORM,
                                        node__indicator="supervision_on_time")
    assert platform.count() == townships
    assert all(s.explanation and s.trace.get("ids") for s in platform)
    assert any(s.final_score and s.final_score > 0 for s in platform)
    assert ItemScore.objects.filter(result__scheme=last).exclude(review_reason="").exists()  # an adjustment

    this = Scheme.objects.get(year=year, kind=arules.KIND_TOWNSHIP)
    assert this.status == arules.ACTIVE and this.copied_from_id == last.pk
    statuses = set(Result.objects.filter(scheme=this).values_list("status", flat=True))
    assert {arules.R_PENDING, arules.R_SUBMITTED, arules.R_REVIEWED} <= statuses
    assert Inspection.objects.filter(result__scheme=this).exists()
    assert Evaluation.objects.filter(result__scheme=this).exists()
    # the live preview computes the platform items from the records
    admin = _admin()
    result = Result.objects.filter(scheme=this).order_by("pk").first()
    assert result is not None
    sheet = asel.score_sheet(admin, result, timezone.localdate())
    assert sheet.preview and sheet.total >= 0


def test_points_credits_entries_posting_and_stars() -> None:
    year = timezone.localdate().year
    county = _county()
    schemes = PointsScheme.objects.filter(org=county).order_by("year")
    assert [s.year for s in schemes] == [year - 1, year]
    assert schemes[0].template == "E6.1" and schemes[1].copied_from_id == schemes[0].pk
    auto = PointsEntry.objects.exclude(source_type="")
    assert auto.exists() and all(e.status == prules.APPROVED for e in auto)
    assert auto.values("org").distinct().count() >= 2
    manual = PointsEntry.objects.filter(source_type="")
    assert manual.filter(status=prules.APPROVED).exists() and manual.filter(status=prules.PENDING).exists()
    assert all(e.decided_by_id != e.entered_by_id for e in manual.filter(status=prules.APPROVED))
    shuji_branch = User.objects.get(username="shimen_shuji").orgs.get()
    assert auto.filter(org=shuji_branch).exists()
    posting = Posting.objects.get(org=shuji_branch)
    assert posting.rows and Objection.objects.filter(posting=posting).count() == 1
    ratings = MemberRating.objects.filter(year=year - 1)
    assert ratings.exists() and ratings.filter(org=shuji_branch).exists()
    assert len(set(ratings.values_list("stars", flat=True))) >= 2
    final = BranchRating.objects.filter(year=year - 1, status=prules.RATING_FINAL)
    assert final.count() >= 4 and all(r.stars is not None for r in final)
    assert BranchRating.objects.filter(year=year, status=prules.RATING_OPEN).exists()


def test_rectification_identified_confirmed_and_accepted() -> None:
    year = timezone.localdate().year
    county, admin = _county(), _admin()
    now = rsel.counts(admin, county, year).total
    assert now.identified > 0 and now.rectifying > 0
    assert Case.objects.filter(year=year, status=rrules.CANDIDATE).exists()
    for case in Case.objects.filter(year=year, status=rrules.RECTIFYING):
        plan = Plan.objects.get(case=case)
        assert plan.leader_id and plan.responsible_person and plan.goal and plan.reward_penalty
        assert Milestone.objects.filter(case=case).count() == 3
    assert Case.objects.filter(year=year).exclude(findings__criterion=rrules.MANUAL).exists()  # from the records
    last = rsel.counts(admin, county, year - 1).total
    assert last.identified > 0 and last.accepted == last.identified
    failed_first = Acceptance.objects.filter(result=rrules.NOT_PASSED).values_list("case", flat=True)
    assert len(failed_first) == 1
    assert Case.objects.get(pk=failed_first[0]).status == rrules.ACCEPTED


def test_running_it_twice_is_refused_and_writes_nothing() -> None:
    counts = (Task.objects.count(), Item.objects.count(), Scheme.objects.count(), PointsEntry.objects.count(),
              Case.objects.count())
    with pytest.raises(AlreadyLoaded):
        load_oversight(actor=_admin(), county=_county(), seed=7, today=timezone.localdate(), out=lambda _s: None)
    assert counts == (Task.objects.count(), Item.objects.count(), Scheme.objects.count(), PointsEntry.objects.count(),
                      Case.objects.count())

