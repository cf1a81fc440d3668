"""The dues pages: every page renders for the roles it is for; the batch payment form; the xlsx
export opened with openpyxl and checked cell by cell."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.dues import rules, services
from dangjian.dues.models import BaseReview, DuesBasis, DuesEntry
from dangjian.dues.tests.conftest import TODAY, m, row_counts

D = Decimal
ORG_ROLES = ["county_admin", "township_organizer", "branch_secretary", "inspector"]
WRITERS = ["county_admin", "township_organizer", "branch_secretary"]


@pytest.fixture
def client_for(tree):
    def make(role: str) -> Client:
        c = Client()
        c.force_login(tree.users[role])
        return c

    return make


def town_urls(branch) -> list[str]:
    town = branch.tree.town_a.pk
    return [reverse("dues:org", args=[town]) + "?year=2026", reverse("dues:hardship_list", args=[town])]


def read_urls(branch) -> list[str]:
    t = branch.tree
    va1 = t.village_a1.pk
    return [
        reverse("dues:org", args=[va1]), reverse("dues:hardship_list", args=[va1]),
        reverse("dues:ledger", args=[va1, 2026, 3]), reverse("dues:ledger_pick", args=[va1]) + "?month=2026-03",
        reverse("dues:publication", args=[va1, 2026]),
        reverse("dues:member", args=[branch.staff.pk]), reverse("dues:member", args=[branch.staff.pk]) + "?year=2025",
        reverse("dues:ledger_export", args=[va1, 2026]),
    ]


def write_urls(branch) -> list[str]:
    t = branch.tree
    va1, staff = t.village_a1.pk, branch.staff.pk
    return [
        reverse("dues:review", args=[va1, 2026]), reverse("dues:handup", args=[va1]),
        reverse("dues:member_basis", args=[staff]), reverse("dues:member_pay", args=[staff]),
        reverse("dues:member_voluntary", args=[staff]), reverse("dues:hardship_new", args=[staff]),
    ]


@pytest.mark.parametrize("role", ORG_ROLES)
def test_read_pages_render(branch, client_for, role):
    c = client_for(role)
    town_visible = role != "branch_secretary"
    for url in read_urls(branch) + town_urls(branch):
        resp = c.get(url)
        if url in town_urls(branch) and not town_visible:
            assert resp.status_code == 404, (role, url)
            continue
        assert resp.status_code in (200, 302), (role, url, resp.status_code)
        if resp.status_code == 302:
            assert c.get(resp["Location"]).status_code == 200


@pytest.mark.parametrize("role", WRITERS)
def test_write_pages_render_with_csrf(branch, client_for, role):
    c = client_for(role)
    for url in write_urls(branch):
        resp = c.get(url)
        assert resp.status_code == 200, (role, url)
        assert "csrfmiddlewaretoken" in resp.content.decode()


@pytest.mark.parametrize("role", ["inspector", "member"])
def test_write_pages_404_for_read_only(branch, client_for, role):
    c = client_for(role)
    for url in write_urls(branch):
        assert c.get(url).status_code == 404, (role, url)
    before = row_counts()
    assert c.post(reverse("dues:ledger_generate", args=[branch.tree.village_a1.pk, 2026, 3])).status_code == 404
    assert row_counts() == before


def test_home_redirects(branch, client_for):
    resp = client_for("township_organizer").get(reverse("dues:home"))
    assert resp["Location"] == reverse("dues:org", args=[branch.tree.town_a.pk])
    resp = client_for("member").get(reverse("dues:home"))
    assert resp["Location"] == reverse("dues:mine")


def test_member_sees_own_dues_and_branch_publication_only(branch, client_for):
    c = client_for("member")
    t = branch.tree
    resp = c.get(reverse("dues:mine"))
    assert resp.status_code == 200 and 'data-testid="dues-me"' in resp.content.decode()
    assert c.get(reverse("dues:publication", args=[t.village_a1.pk, 2026])).status_code == 200
    assert c.get(reverse("dues:publication", args=[t.village_a2.pk, 2026])).status_code == 404
    assert c.get(reverse("dues:member", args=[t.member_a1.pk])).status_code == 404  # the org-side page
    assert c.get(reverse("dues:org", args=[t.village_a1.pk])).status_code == 404


def test_me_fragment_shows_due_paid_arrears(branch, client_for):
    t = branch.tree
    year = timezone.localdate().year
    services.basis_set(actor=branch.secretary, member=t.member_a1, category=rules.STUDENT, effective_from=m(year, 1),
                       today=timezone.localdate())
    c = client_for("member")
    html = c.get(reverse("dues:mine")).content.decode()
    assert 'data-testid="dues-me-due"' in html and 'data-testid="dues-me-arrears"' in html
    assert "学生党员" in html


def test_ledger_batch_payment_form(branch, client_for):
    t = branch.tree
    c = client_for("branch_secretary")
    services.entries_generate(actor=branch.secretary, org=t.village_a1, month=m(2026, 3), today=TODAY)
    url = reverse("dues:ledger_pay", args=[t.village_a1.pk, 2026, 3])
    # one bad row: nothing is written and the page says why, on the row
    before = row_counts()
    resp = c.post(url, {"paid_on": "2026-03-10", "pay": [branch.staff.pk, branch.retired.pk],
                        f"amount-{branch.retired.pk}": "99", f"method-{branch.staff.pk}": rules.CASH,
                        f"method-{branch.retired.pk}": rules.CASH})
    assert resp.status_code == 422
    html = resp.content.decode()
    assert f'data-testid="row-errors-{branch.retired.pk}"' in html
    assert services.AMOUNT_OVER_DUE.format(name="钱二", month="2026年3月", amount=D("99.00"), due=D("50.00")) in html
    assert row_counts() == before
    resp = c.post(url, {"paid_on": "2026-03-10", "pay": [branch.staff.pk, branch.retired.pk],
                        f"method-{branch.staff.pk}": rules.TRANSFER, f"receipt-{branch.staff.pk}": "R-9",
                        f"method-{branch.retired.pk}": rules.CASH})
    assert resp.status_code == 302
    paid = DuesEntry.objects.filter(month=m(2026, 3), paid_on=dt.date(2026, 3, 10)).order_by("member__name_pinyin")
    assert [(e.member.name, e.paid_amount, e.method, e.receipt_number) for e in paid] == [
        ("钱二", D("50.00"), rules.CASH, ""), ("赵一", D("40.00"), rules.TRANSFER, "R-9")]
    page = c.get(reverse("dues:ledger", args=[t.village_a1.pk, 2026, 3])).content.decode()
    assert 'data-testid="ledger-paid">90.00<' in page


def test_member_basis_form_rejects_absurd_base(branch, client_for):
    c = client_for("branch_secretary")
    before = row_counts()
    resp = c.post(reverse("dues:member_basis", args=[branch.staff.pk]),
                  {"category": rules.CIVIL_SERVANT, "base": "2000000", "effective_from": "2026-03"})
    assert resp.status_code == 200
    assert rules.BASE_ABSURD.format(base=D("2000000.00"), limit=rules.MAX_BASE) in resp.content.decode()
    assert row_counts() == before
    resp = c.post(reverse("dues:member_basis", args=[branch.staff.pk]),
                  {"category": rules.CIVIL_SERVANT, "base": "5200.00", "effective_from": "2026-03", "document": "调资"})
    assert resp.status_code == 302
    assert DuesBasis.objects.filter(member=branch.staff).latest("id").base == D("5200.00")


def test_member_pay_form_back_payment_warning(branch, client_for):
    c = client_for("branch_secretary")
    resp = c.post(reverse("dues:member_pay", args=[branch.student.pk]),
                  {"start": "2025-01", "end": "2025-03", "paid_on": "2025-09-01", "method": rules.CASH}, follow=True)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert rules.BACK_PAYMENT_BEYOND.format(month="2025年1月", limit=6) in html
    assert DuesEntry.objects.filter(member=branch.student, paid_on=dt.date(2025, 9, 1)).count() == 3


def test_hardship_pages(branch, client_for):
    staff = branch.staff
    sec = client_for("branch_secretary")
    resp = sec.post(reverse("dues:hardship_new", args=[staff.pk]), {
        "kind": rules.EXEMPT_KIND, "start_month": "2026-06", "reason": "重病", "branch_decided_on": "2026-05-20",
        "branch_meeting": "5月20日支委会"})
    assert resp.status_code == 302
    d = staff.dues_hardships.get()
    assert sec.get(reverse("dues:hardship_review", args=[d.pk])).status_code == 404  # the branch cannot approve
    org = client_for("township_organizer")
    assert org.get(reverse("dues:hardship_review", args=[d.pk])).status_code == 200
    resp = org.post(reverse("dues:hardship_review", args=[d.pk]), {
        "decision": "approve", "approved_on": "2026-05-28", "approval_document": "甲镇党委〔2026〕7号", "version": d.version})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.status == "approved"
    assert DuesBasis.objects.filter(member=staff, category=rules.EXEMPT, effective_from=m(2026, 6)).exists()


def test_review_page_confirms(branch, client_for):
    t = branch.tree
    c = client_for("branch_secretary")
    year = timezone.localdate().year
    members = [branch.staff, branch.retired, branch.farmer, branch.student, t.member_a1]
    data = {f"category-{x.pk}": rules.STUDENT for x in members}
    data.update({f"category-{branch.staff.pk}": rules.CIVIL_SERVANT, f"base-{branch.staff.pk}": "4000.00",
                 "confirmed_on": timezone.localdate().isoformat(), "document": "支委会"})
    resp = c.post(reverse("dues:review", args=[t.village_a1.pk, year]), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    review = BaseReview.objects.get(org=t.village_a1, year=year)
    assert (review.members_count, review.changed_count, review.document) == (5, 3, "支委会")  # 钱二, 孙三 and 李明


# --- the xlsx export -----------------------------------------------------------------------------------------
def test_ledger_export_cell_by_cell(branch, client_for):
    t = branch.tree
    sec = branch.secretary
    for mo in (1, 2):
        services.entries_generate(actor=sec, org=t.village_a1, month=m(2026, mo), today=TODAY)
    services.payment_record(actor=sec, org=t.village_a1, member=branch.staff, months=[m(2026, 1), m(2026, 2)],
                            paid_on=dt.date(2026, 2, 5), today=TODAY)
    services.payment_record(actor=sec, org=t.village_a1, member=branch.farmer, months=[m(2026, 1)],
                            paid_on=dt.date(2026, 1, 5), today=TODAY)
    resp = client_for("township_organizer").get(reverse("dues:ledger_export", args=[t.village_a1.pk, 2026]))
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in resp["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    ws = wb.active
    assert ws.title == "2026年党费台账"
    assert ws["A1"].value == f"{t.village_a1.name}  2026年度党费收缴台账"
    assert [ws.cell(3, c).value for c in range(1, 6)] == ["序号", "姓名", "公民身份号码", "党费类别", "计算基数（元/月）"]
    assert ws["F2"].value == "1月" and ws["H2"].value == "2月" and ws["AB2"].value == "12月" and ws["AD2"].value == "全年合计"
    assert "F2:G2" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(3, c).value for c in (6, 7, 30, 31, 32)] == ["应交", "实交", "应交", "实交", "欠交"]
    rows = {ws.cell(r, 2).value: r for r in range(4, ws.max_row + 1)}
    # members by pinyin: 李明 (no basis, no rows), 钱二, 孙三, 赵一, 周四; then the totals row
    assert list(rows) == ["李明", "钱二", "孙三", "赵一", "周四", "合计"]

    def row(name):
        r = rows[name]
        return [ws.cell(r, c).value for c in range(1, 33)]

    zhao = row("赵一")
    assert zhao[0] == 4 and zhao[3] == rules.CATEGORY_LABELS[rules.CIVIL_SERVANT] and zhao[4] == 4000
    assert zhao[2] == branch.staff.id_number_masked and "*" in zhao[2]
    assert zhao[5:9] == [40, 40, 40, 40]  # Jan due/paid, Feb due/paid
    assert zhao[9:29] == [None] * 20  # March–December: no rows
    assert zhao[29:32] == [80, 80, 0]
    sun = row("孙三")
    assert sun[5:9] == [0.5, 0.5, 0.5, 0] and sun[29:32] == [1, 0.5, 0.5]
    li = row("李明")
    assert li[3] == "未核定" and li[4] is None and li[5:] == [None] * 27
    total = row("合计")
    assert total[5:9] == [90.7, 40.5, 90.7, 40]
    assert total[29:32] == [181.4, 80.5, 100.9]
    for r in range(4, ws.max_row + 1):
        for c in range(5, 33):
            v = ws.cell(r, c).value
            if isinstance(v, float):
                assert D(str(v)) == D(str(v)).quantize(D("0.01")), (r, c, v)  # never more than two places
    assert ws.cell(rows["赵一"], 6).number_format == "0.00"
