"""The pages: issue a task through the form, act on the item through the POST-only routes (405 to GET),
the board with filters and its .xlsx export, evidence download, refusals shown in Chinese with nothing
written, and 404 for every id outside the user's subtree."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.supervision import rules, services
from dangjian.supervision.models import Item, Task
from dangjian.supervision.tests import scope_objects
from dangjian.supervision.tests.conftest import exe, png, row_counts
from dangjian.testing import Tree

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_issue_act_and_board_through_pages(tree: Tree):
    today = timezone.localdate()
    admin = client_for(tree.users["county_admin"])
    deadline = today + dt.timedelta(days=10)
    resp = admin.get(reverse("supervision:task_new"))
    assert resp.status_code == 200 and "中共甲镇一村支部委员会" in resp.content.decode()
    resp = admin.post(reverse("supervision:task_new"), {
        "issuer": tree.county.pk, "title": "整改问题清单", "basis": "示组〔2026〕9号", "actions": "自查\n整改",
        "deadline": deadline.isoformat(), "recurrence": rules.ONCE, "receiver_orgs": [tree.village_a1.pk, tree.village_b1.pk],
    })  # fmt: skip
    task = Task.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("supervision:task_detail", args=[task.pk])
    a1 = task.items.get(receiver_org=tree.village_a1)

    secretary = client_for(tree.users["branch_secretary"])
    assert secretary.get(reverse("supervision:item_submit", args=[a1.pk])).status_code == 405
    before = row_counts()
    resp = secretary.post(reverse("supervision:item_submit", args=[a1.pk]), {"text": "见附件", "attachments": [exe()]})
    assert resp.status_code == 200 and "“setup.exe”的文件类型不允许" in resp.content.decode()
    assert row_counts() == before
    resp = secretary.post(reverse("supervision:item_submit", args=[a1.pk]), {"text": "已整改", "attachments": [png()]})
    assert resp.status_code == 302
    ev = a1.evidence.get()
    download = secretary.get(reverse("supervision:evidence_file", args=[ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")

    resp = admin.post(reverse("supervision:item_return", args=[a1.pk]), {"reason": ""})
    assert resp.status_code == 200 and 'data-testid="error-reason"' in resp.content.decode()
    assert Item.objects.get(pk=a1.pk).status == rules.SUBMITTED
    admin.post(reverse("supervision:item_return", args=[a1.pk]), {"reason": "照片不清晰"})
    page = secretary.get(reverse("supervision:item_detail", args=[a1.pk])).content.decode()
    assert "退回原因：照片不清晰" in page and 'data-status="returned"' in page
    secretary.post(reverse("supervision:item_submit", args=[a1.pk]), {"text": "重拍照片", "attachments": [png("新照片.png")]})
    admin.post(reverse("supervision:item_accept", args=[a1.pk]), {"text": "同意"})
    a1.refresh_from_db()
    assert (a1.status, a1.returned_count) == (rules.ACCEPTED, 1)

    board = admin.get(reverse("supervision:task_detail", args=[task.pk])).content.decode()
    assert 'data-testid="completion-rate">50.0%' in board and 'data-testid="count-green">1' in board
    only_a = admin.get(reverse("supervision:task_detail", args=[task.pk]), {"township": tree.town_a.pk}).content.decode()
    assert 'data-testid="completion-rate">100.0%' in only_a and "中共乙镇一村支部委员会" not in only_a
    amber = admin.get(reverse("supervision:task_detail", args=[task.pk]), {"light": rules.AMBER}).content.decode()
    assert amber.count('data-testid="board-row"') == 1 and 'data-light="amber"' in amber

    export = admin.get(reverse("supervision:board_export", args=[task.pk]))
    assert export.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=4)]
    assert [r[2] for r in rows] == ["中共甲镇一村支部委员会", "中共乙镇一村支部委员会"]
    assert [r[7] for r in rows] == ["绿灯", "黄灯"] and rows[0][13] == 1  # 退回次数
    assert any(r[2] == "50.0%" for r in ws.iter_rows(values_only=True) if r[1] == "完成率")

    # The township sees the county's task with its own village only, under 交办给我的.
    town = client_for(tree.users["township_organizer"])
    received = town.get(reverse("supervision:task_list"), {"box": "received"}).content.decode()
    assert "整改问题清单" in received
    town_board = town.get(reverse("supervision:task_detail", args=[task.pk])).content.decode()
    assert town_board.count('data-testid="board-row"') == 1


def test_task_form_refuses_past_deadline_and_outside_receiver(tree: Tree):
    today = timezone.localdate()
    town = client_for(tree.users["township_organizer"])
    before = row_counts()
    resp = town.post(reverse("supervision:task_new"), {
        "issuer": tree.town_a.pk, "title": "x", "deadline": (today - dt.timedelta(days=1)).isoformat(),
        "recurrence": rules.ONCE, "receiver_orgs": [tree.village_a1.pk],
    })  # fmt: skip
    assert resp.status_code == 200 and "不能早于今天" in resp.content.decode()
    resp = town.post(reverse("supervision:task_new"), {
        "issuer": tree.town_a.pk, "title": "x", "deadline": today.isoformat(), "recurrence": rules.ONCE,
        "receiver_orgs": [tree.village_b1.pk],
    })  # fmt: skip
    assert resp.status_code == 200 and 'data-testid="error-receiver_orgs"' in resp.content.decode()
    assert row_counts() == before


def test_pages_answer_404_outside_scope(tree: Tree):
    admin = tree.users["county_admin"]
    a = scope_objects.make(admin, tree.village_a1, tree.town_a)
    b = scope_objects.make(admin, tree.village_b1, tree.town_b)
    town = client_for(tree.users["township_organizer"])
    inspector = client_for(tree.users["inspector"])
    member = client_for(tree.users["member"])
    gets = [("supervision:task_detail", "task"), ("supervision:board_export", "task"), ("supervision:item_detail", "item"),
            ("supervision:evidence_file", "evidence"), ("supervision:item_cascade", "item")]  # fmt: skip
    for name, kind in gets:
        assert town.get(reverse(name, args=[a[kind]])).status_code == 200, name
        assert town.get(reverse(name, args=[b[kind]])).status_code == 404, name
        assert member.get(reverse(name, args=[a[kind]])).status_code == 404, name
    assert inspector.get(reverse("supervision:item_detail", args=[a["item"]])).status_code == 200
    before = row_counts()
    for name in ("item_acknowledge", "item_progress", "item_submit", "item_accept", "item_return", "item_cascade"):
        assert town.post(reverse(f"supervision:{name}", args=[b["item"]]), {"text": "x", "reason": "x"}).status_code == 404
        assert inspector.post(reverse(f"supervision:{name}", args=[a["item"]]), {"text": "x", "reason": "x"}).status_code == 404
    assert row_counts() == before
    assert member.get(reverse("supervision:task_list")).status_code == 404


def test_cascade_page(tree: Tree):
    today = timezone.localdate()
    task = services.task_issue(actor=tree.users["county_admin"], issuer=tree.county, title="县级任务",
                               deadline=today + dt.timedelta(days=9), receiver_orgs=[tree.town_a], today=today)  # fmt: skip
    item = task.items.get()
    town = client_for(tree.users["township_organizer"])
    page = town.get(reverse("supervision:item_cascade", args=[item.pk])).content.decode()
    assert "中共甲镇一村支部委员会" in page and "中共乙镇一村支部委员会" not in page
    resp = town.post(reverse("supervision:item_cascade", args=[item.pk]), {
        "receiver_orgs": [tree.village_a1.pk, tree.village_a2.pk], "deadline": (today + dt.timedelta(days=5)).isoformat()})
    child = Task.objects.get(parent_item=item)
    assert resp.status_code == 302 and child.items.count() == 2
    detail = town.get(reverse("supervision:item_detail", args=[item.pk])).content.decode()
    assert 'data-testid="children"' in detail and Item.objects.get(pk=item.pk).cascaded


def test_org_panel_template(tree: Tree):
    from django.template.loader import render_to_string

    from dangjian.supervision import selectors

    today = timezone.localdate()
    task = services.task_issue(actor=tree.users["county_admin"], issuer=tree.county, title="面板任务",
                               deadline=today + dt.timedelta(days=2), receiver_orgs=[tree.village_a1], today=today)  # fmt: skip
    panel = selectors.org_panel(tree.users["township_organizer"], tree.village_a1, today)
    html = render_to_string("supervision/_org_panel.html", {"panel": panel})
    item = task.items.get()
    assert f'/supervision/items/{item.pk}/' in html and 'data-light="amber"' in html
    assert 'data-testid="panel-open">1<' in html and 'data-testid="panel-overdue">0<' in html
