"""The generated forms and the full record: built from a record taken through the real services (an
override, a notice, an uploaded scan, a vote with a written opinion and an abstention), downloaded
through the pages, and opened with python-docx / openpyxl to check what an inspector reads — names,
Chinese dates, vote figures — and the official layout (A4, margins, East-Asian fonts, page numbers).
Full ID numbers only through an audited POST; everything outside the user's scope is 404."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from python_calamine import CalamineWorkbook

from dangjian.common.models import AuditEvent
from dangjian.recruitment import documents, services
from dangjian.recruitment import steps as S
from dangjian.recruitment.models import DevelopmentRecord, PublicNotice
from dangjian.recruitment.services import PersonIn, StepIn
from dangjian.recruitment.tests.conftest import (
    BIRTH,
    TODAY,
    D,
    World,
    advance,
    happy_steps,
    new_record,
    vote_in,
)
from dangjian.testing import valid_id_number

pytestmark = pytest.mark.django_db

FULL_ID = valid_id_number(BIRTH, "1")
OVERRIDE_REASON = "个别特殊情况：因公出差补训"
# 15: four should attend, three present, one written opinion; 3 yes, 1 abstain.
MEETING_VOTE = vote_in(4, 3, 3, abstain=1, written_opinions=1)


@dataclasses.dataclass
class Built:
    record: DevelopmentRecord
    notice: PublicNotice
    other: DevelopmentRecord  # an activist of 二村 (same township, another branch)


@pytest.fixture
def built(world: World) -> Built:
    admin, town_user = world.admin, world.tree.users["township_organizer"]
    record = new_record(world, id_number=FULL_ID, unit_name="甲镇一村村民委员会", job="文书", phone="13900000000")
    services.document_add(actor=admin, record=record, kind="application_letter",
                          file=SimpleUploadedFile("入党申请书.pdf", b"%PDF-1.4\n%test\n"),
                          step=record.steps.get(number=1))  # fmt: skip
    advance(world, record, 8)
    notice = services.notice_record(actor=admin, record=record, kind="candidate", place="一村党务公开栏",
                                    start=D("2022-06-07"), end=D("2022-06-13"), today=TODAY)  # fmt: skip
    steps_ = happy_steps(world)
    for n in (8, 9, 10):
        services.step_record(actor=admin, record=record, step=steps_[n], today=TODAY)
    short = dataclasses.replace(steps_[11], details={"training_name": "发展对象培训班", "training_days": 2, "training_hours": 16})
    services.step_record(actor=town_user, record=record, step=short, override_reason=OVERRIDE_REASON, today=TODAY)
    for n in (12, 13, 14):
        services.step_record(actor=admin, record=record, step=steps_[n], today=TODAY)
    services.step_record(actor=admin, record=record, step=dataclasses.replace(steps_[15], vote=MEETING_VOTE), today=TODAY)
    for n in (16, 17, 18, 19, 20, 22, 23, 24, 25):
        services.step_record(actor=admin, record=record, step=steps_[n], today=TODAY)
    record.refresh_from_db()
    other = services.record_create(
        actor=admin, org=world.tree.village_a2, id_number=valid_id_number(D("1990-03-08"), "2"), name="吴芳", sex="2",
        birth_date=D("1990-03-08"), education="master", occupation="farmer", today=TODAY,
        application=StepIn(1, D("2021-02-01")),
    )  # fmt: skip
    a = world.full[0]
    for s in (StepIn(2, D("2021-02-20"), people=[PersonIn(S.TALKER, member=a)]),
              StepIn(3, D("2021-07-01"), details={"nominated_by": "群团组织推优"})):  # fmt: skip
        services.step_record(actor=admin, record=other, step=s, today=TODAY)
    other.refresh_from_db()
    return Built(record, notice, other)


def client_for(world: World, role: str = "county_admin") -> Client:
    c = Client()
    c.force_login(world.tree.users[role])
    return c


def open_docx(resp: Any) -> Any:
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Type"] == documents.DOCX_TYPE
    assert resp["Content-Disposition"].startswith("attachment;")
    return Document(io.BytesIO(resp.content))


def text_of(doc: Any) -> str:
    """All paragraph and table text, in document order (tables cell by cell)."""
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


def east_asia(run: Any) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def check_layout(doc: Any, *, landscape: bool = False) -> None:
    sec = doc.sections[0]
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    assert (abs(sec.page_width - width), abs(sec.page_height - height)) < (Mm(0.1), Mm(0.1))
    assert sec.orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT)
    margins = [sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    title = doc.paragraphs[0]
    assert title.alignment == 1  # centred
    assert [(east_asia(r), r.font.size) for r in title.runs] == [("方正小标宋简体", Pt(22))]
    footer_xml = sec.footer._element.xml
    assert "PAGE" in footer_xml and 'w:fldCharType="begin"' in footer_xml
    for t in doc.tables:
        for run in t.rows[0].cells[0].paragraphs[0].runs:
            assert (east_asia(run), run.font.size) == ("宋体", Pt(12))


# --- the full record -----------------------------------------------------------------------------------------------


def test_full_record_docx_has_every_step_vote_notice_override_and_file(world: World, built: Built) -> None:
    doc = open_docx(client_for(world).get(reverse("recruitment:doc_full_record", args=[built.record.pk])))
    check_layout(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "周新同志发展党员全程纪实"
    masked = built.record.id_number_masked
    assert masked in text and FULL_ID not in text and "*" in masked
    assert "甲镇一村村民委员会文书" in text
    # Steps in stage order, in their own wording, with Chinese dates.
    headings = [p.text for p in doc.paragraphs if p.text.startswith("第") and "步" in p.text[:4]]
    numbers = [int(h[1:h.index("步")]) for h in headings]
    assert numbers == sorted(numbers) and set(numbers) == set(range(1, 26)) - {21}
    assert numbers.count(6) == 2  # both assessments
    assert "第15步　支部大会讨论" in headings and "第13步　上级党委预审" in headings
    for heading in ("二、第一阶段：申请入党", "六、第五阶段：预备党员的教育考察和转正", "七、公示", "八、材料目录"):
        assert heading in [p.text for p in doc.paragraphs]
    assert "2021年3月1日" in text and "2022年10月10日" in text and "2023年12月1日" in text
    assert "2014年《中国共产党发展党员工作细则》" in text
    # The branch meeting's vote, as entered and as computed.
    assert "4人" in text and "实到会有表决权的党员\n3人" in text and "书面意见\n1份" in text
    assert "赞成\n3票" in text and "反对\n0票" in text and "弃权\n1票" in text
    assert "到会人数超过半数\n是" in text and "赞成票超过应到人数半数（通过）\n是" in text
    # Responsible people, details, the approving committee.
    assert "培养联系人：李明" in text and "入党介绍人：李明" in text and "政治审查结论\n合格" in text
    assert "中共甲镇委员会" in text and "审批结果\n批准" in text
    # The override with its reason and who accepted it.
    assert "R1.12" in text and OVERRIDE_REASON in text and "甲镇组织委员" in text
    # The notice (5 working days: Tue 6-7 .. Mon 6-13) and the uploaded scan.
    assert built.notice.workdays == 5
    assert "2022年6月7日至2022年6月13日（5个工作日）" in text and "一村党务公开栏" in text and "无异议" in text
    assert "入党申请书.pdf" in text and "第1步" in text


def test_full_record_html_is_a_printable_a4_page(world: World, built: Built) -> None:
    resp = client_for(world, "inspector").get(reverse("recruitment:doc_full_record_html", args=[built.record.pk]))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "size: A4" in html and "margin: 37mm 26mm 35mm 28mm" in html and "@media print" in html
    assert "<h1>周新同志发展党员全程纪实</h1>" in html
    assert html.count('data-step="6"') == 2 and 'data-step="25"' in html and 'data-step="21"' not in html
    assert "赞成票超过应到人数半数（通过）</th><td>是" in html and "书面意见</th><td>1份" in html
    assert OVERRIDE_REASON in html and "2022年6月7日至2022年6月13日（5个工作日）" in html
    assert built.record.id_number_masked in html and FULL_ID not in html
    assert "入党申请书.pdf" in html


def test_full_id_only_by_post_and_audited(world: World, built: Built) -> None:
    c = client_for(world)
    url = reverse("recruitment:doc_full_record", args=[built.record.pk])
    audits = AuditEvent.objects.filter(action="recruitment.reveal.id_number", target_id=str(built.record.pk))
    assert FULL_ID not in text_of(open_docx(c.get(url, {"full_id": "1"}))) and audits.count() == 0
    assert c.post(url).status_code == 404 and audits.count() == 0
    doc = open_docx(c.post(url, {"full_id": "1"}))
    assert FULL_ID in text_of(doc) and built.record.id_number_masked not in text_of(doc)
    assert audits.count() == 1
    html = c.post(reverse("recruitment:doc_full_record_html", args=[built.record.pk]), {"full_id": "1"}).content.decode()
    assert FULL_ID in html and "本次查看已记入审计日志" in html
    assert audits.count() == 2


# --- the per-person forms -------------------------------------------------------------------------------------------


def test_filing_tables(world: World, built: Built) -> None:
    c = client_for(world, "branch_secretary")
    doc = open_docx(c.get(reverse("recruitment:doc_activist_filing", args=[built.record.pk])))
    check_layout(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "入党积极分子备案表"
    assert "周新" in text and "男" in text and "1995年5月" in text and "大学本科" in text
    assert "2021年3月1日" in text and "2021年6月1日" in text and "党员推荐" in text and "李明、王强" in text
    assert "经支委会研究，同意确定为入党积极分子。\n中共甲镇一村支部委员会（盖章）\n2021年6月1日" in text
    assert "中共甲镇委员会（盖章）\n2021年6月10日" in text
    assert built.record.id_number_masked in text and FULL_ID not in text
    doc = open_docx(c.get(reverse("recruitment:doc_candidate_filing", args=[built.record.pk])))
    text = text_of(doc)
    assert doc.paragraphs[0].text == "发展对象备案表"
    assert "2021年12月1日：表现良好；2022年5月30日：表现良好" in text and "2022年6月6日" in text
    assert "一村党务公开栏，2022年6月7日至2022年6月13日（5个工作日），无异议" in text
    assert "经党支部委员会研究，同意列为发展对象。\n中共甲镇一村支部委员会（盖章）\n2022年6月6日" in text
    assert "中共甲镇委员会（盖章）\n2022年6月15日" in text
    # The activist of 二村 has no development-target form yet.
    assert c.get(reverse("recruitment:doc_candidate_filing", args=[built.other.pk])).status_code == 404


def test_notice_text(world: World, built: Built) -> None:
    url = reverse("recruitment:doc_notice", args=[built.record.pk, built.notice.pk])
    doc = open_docx(client_for(world).get(url))
    check_layout(doc)
    body = [p.text for p in doc.paragraphs]
    assert body[0] == "关于拟确定周新同志为发展对象的公示"
    text = "\n".join(body)
    assert "周新，男，汉族，1995年5月出生，大学本科学历，甲镇一村村民委员会文书。" in text
    assert "2021年3月1日递交入党申请书，2021年6月1日被确定为入党积极分子。" in text
    assert "公示时间：2022年6月7日至2022年6月13日（5个工作日）。" in text
    assert "公示范围：一村党务公开栏。" in text
    assert "向中共甲镇一村支部委员会、中共甲镇委员会反映情况" in text
    assert body[-2:] == ["中共甲镇一村支部委员会", "2022年6月7日"]  # issued by the branch on the first day
    assert "13900000000" not in text and FULL_ID not in text


def test_pre_review_and_approval_forms(world: World, built: Built) -> None:
    c = client_for(world)
    doc = open_docx(c.get(reverse("recruitment:doc_pre_review", args=[built.record.pk])))
    check_layout(doc, landscape=True)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "关于对周新同志进行发展党员预审的请示"
    assert doc.paragraphs[1].text == "中共甲镇委员会："
    row = [cell.text for cell in doc.tables[0].rows[1].cells]
    header = [cell.text for cell in doc.tables[0].rows[0].cells]
    values = dict(zip(header, row, strict=True))
    assert values["姓名"] == "周新" and values["申请入党日期"] == "2021年3月1日"
    assert values["确定为入党积极分子日期"] == "2021年6月1日" and values["确定为发展对象日期"] == "2022年6月6日"
    assert values["政治审查结论"] == "合格（2022年8月1日）"
    assert values["集中培训情况"] == "2022年8月10日 发展对象培训班，2天，16学时"
    assert values["入党介绍人"] == "李明、王强"
    assert "妥否，请批示。" in text and text.index("中共甲镇一村支部委员会\n2022年9月1日") > 0

    doc = open_docx(c.get(reverse("recruitment:doc_admission_approval", args=[built.record.pk])))
    check_layout(doc)
    text = text_of(doc)
    assert doc.paragraphs[0].text == "接收预备党员审批表"
    assert ("2022年10月10日召开。应到会有表决权的党员4人，实到3人，书面意见1份，赞成3票，反对0票，弃权1票，"
            "到会人数超过半数，通过。") in text  # fmt: skip
    assert "批准。应到会有表决权的党员7人，实到6人，赞成6票" in text and "中共甲镇委员会（盖章）\n2022年11月15日" in text
    assert "同意（2022年9月10日）" in text and "组织员甲" in text

    doc = open_docx(c.get(reverse("recruitment:doc_conversion_approval", args=[built.record.pk])))
    text = text_of(doc)
    assert doc.paragraphs[0].text == "预备党员转正审批表"
    assert "2023年10月10日" in text and "2023年9月20日" in text and "延长预备期\n无" in text
    assert "中共甲镇委员会（盖章）\n2023年11月10日" in text


# --- lists ------------------------------------------------------------------------------------------------------------


def xlsx_rows(resp: Any) -> list[list[Any]]:
    assert resp.status_code == 200, resp.status_code
    assert resp["Content-Type"] == documents.XLSX_TYPE
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    ws = wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_lists_for_a_township_over_a_period(world: World, built: Built) -> None:
    c = client_for(world, "township_organizer")
    town, branch = world.town.pk, world.branch.pk
    url = reverse("recruitment:form_activist_filing_xlsx", args=[town])
    rows = xlsx_rows(c.get(url, {"start": "2021-01-01", "end": "2021-12-31"}))
    assert rows[0][0] == "中共甲镇委员会入党积极分子备案名册（2021年1月1日至2021年12月31日）"
    header = rows[1]
    by_name = {r[header.index("姓名")]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert set(by_name) == {"周新", "吴芳"}
    assert by_name["吴芳"]["确定为入党积极分子日期"] == "2021年7月1日" and by_name["吴芳"]["推荐方式"] == "群团组织推优"
    assert by_name["吴芳"]["所在党支部"] == "中共甲镇二村支部委员会" and by_name["吴芳"]["学历"] == "研究生（硕士）"
    assert by_name["周新"]["培养联系人"] == "李明、王强" and by_name["周新"]["备案日期"] == "2021年6月10日"
    assert by_name["周新"]["公民身份号码"] == built.record.id_number_masked
    # The branch's own list, and another period.
    only_branch = xlsx_rows(c.get(reverse("recruitment:form_activist_filing_xlsx", args=[branch]),
                                  {"start": "2021-01-01", "end": "2021-12-31"}))  # fmt: skip
    assert [r[1] for r in only_branch[2:]] == ["周新"]
    assert xlsx_rows(c.get(url, {"start": "2022-01-01", "end": "2022-12-31"}))[2:] == []

    # The admission approval list for the committee meeting: age at the branch meeting, vote figures.
    resp = c.get(reverse("recruitment:form_admission_approval_xlsx", args=[town]), {"start": "2022-01-01", "end": "2022-12-31"})
    rows = xlsx_rows(resp)
    row = dict(zip(rows[1], rows[2], strict=True))
    assert len(rows) == 3 and row["姓名"] == "周新" and row["出生年月（年龄）"] == "1995年5月（27岁）"
    assert row["支部党员大会日期"] == "2022年10月10日" and row["表决情况"] == "应到4人，实到3人，赞成3，反对0，弃权1"
    assert row["审批日期"] == "2022年11月15日" and row["审批意见"] == "批准" and row["预审日期"] == "2022年9月10日"
    # The same list read with calamine (the project's reader) agrees.
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert calamine[2][rows[1].index("表决情况")] == row["表决情况"]

    rows = xlsx_rows(c.get(reverse("recruitment:form_conversion_approval_xlsx", args=[town]),
                           {"start": "2023-01-01", "end": "2023-12-31"}))  # fmt: skip
    row = dict(zip(rows[1], rows[2], strict=True))
    assert (row["姓名"], row["预备期满日期"], row["支部党员大会日期"], row["审批日期"]) == (
        "周新", "2023年10月10日", "2023年10月10日", "2023年11月10日")
    assert row["出生年月（年龄）"] == "1995年5月（28岁）"

    doc = open_docx(c.get(reverse("recruitment:form_admission_approval_docx", args=[town]),
                          {"start": "2022-01-01", "end": "2022-12-31"}))  # fmt: skip
    check_layout(doc, landscape=True)
    assert doc.paragraphs[0].text == "中共甲镇委员会接收预备党员审批名单（2022年1月1日至2022年12月31日）"
    assert [c_.text for c_ in doc.tables[0].rows[1].cells][:2] == ["1", "周新"] and len(doc.tables[0].rows) == 2
    assert "共1人。" in text_of(doc)

    doc = open_docx(c.get(reverse("recruitment:form_pre_review_docx", args=[town]), {"start": "2022-01-01", "end": "2022-12-31"}))
    assert doc.paragraphs[0].text == "关于对周新同志进行发展党员预审的请示"
    assert doc.paragraphs[1].text == "中共甲镇委员会："


def test_list_with_full_ids_audits_each_person(world: World, built: Built) -> None:
    c = client_for(world, "township_organizer")
    url = reverse("recruitment:form_activist_filing_xlsx", args=[world.town.pk]) + "?start=2021-01-01&end=2021-12-31"
    before = AuditEvent.objects.filter(action="recruitment.reveal.id_number").count()
    rows = xlsx_rows(c.post(url, {"full_id": "1"}))
    ids = {r[rows[1].index("姓名")]: r[rows[1].index("公民身份号码")] for r in rows[2:]}
    assert ids["周新"] == FULL_ID and "*" not in ids["吴芳"] and len(ids["吴芳"]) == 18
    revealed = AuditEvent.objects.filter(action="recruitment.reveal.id_number").order_by("id")[before:]
    assert sorted(e.target_id for e in revealed) == sorted([str(built.record.pk), str(built.other.pk)])
    # The notice-free pre-review request never carries ID numbers: no full-ID variant.
    assert c.post(reverse("recruitment:form_pre_review_xlsx", args=[world.town.pk]), {"full_id": "1"}).status_code == 404


def test_list_queries_do_not_grow_with_people(world: World, built: Built) -> None:
    c = client_for(world)
    period = {"start": "2021-01-01", "end": "2021-12-31"}
    counts = []
    for org in (world.branch, world.town):  # one person, then two (one naming no committee)
        url = reverse("recruitment:form_activist_filing_xlsx", args=[org.pk])
        with CaptureQueriesContext(connection) as ctx:
            rows = xlsx_rows(c.get(url, period))
        counts.append((len(rows) - 2, len(ctx.captured_queries)))
    assert [n for n, _ in counts] == [1, 2]
    assert counts[0][1] == counts[1][1], counts


def test_forms_page_lists_scope_orgs_only(world: World, built: Built) -> None:
    c = client_for(world, "branch_secretary")
    resp = c.get(reverse("recruitment:forms"), {"org": world.branch.pk, "start": "2021-01-01", "end": "2021-12-31"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "中共甲镇一村支部委员会" in html and "中共甲镇二村支部委员会" not in html and "中共甲镇委员会" not in html
    assert reverse("recruitment:form_admission_approval_xlsx", args=[world.branch.pk]) in html
    assert c.get(reverse("recruitment:forms"), {"org": world.town.pk}).status_code == 404


def test_links_include_offers_only_the_recorded_forms(world: World, built: Built) -> None:
    full = render_to_string("recruitment/documents/_links.html", {"record": built.record})
    for name in ("doc_full_record_html", "doc_full_record", "doc_activist_filing", "doc_candidate_filing", "doc_pre_review",
                 "doc_admission_approval", "doc_conversion_approval"):  # fmt: skip
        assert f'href="{reverse(f"recruitment:{name}", args=[built.record.pk])}"' in full, name
    assert reverse("recruitment:doc_notice", args=[built.record.pk, built.notice.pk]) in full
    activist = render_to_string("recruitment/documents/_links.html", {"record": built.other})
    assert reverse("recruitment:doc_activist_filing", args=[built.other.pk]) in activist
    for name in ("doc_candidate_filing", "doc_pre_review", "doc_admission_approval", "doc_conversion_approval"):
        assert reverse(f"recruitment:{name}", args=[built.other.pk]) not in activist, name


# --- scope --------------------------------------------------------------------------------------------------------


def test_out_of_scope_is_404(world: World, built: Built) -> None:
    secretary = client_for(world, "branch_secretary")  # 一村 only
    other = built.other.pk  # 二村
    for name in ("doc_activist_filing", "doc_full_record", "doc_full_record_html"):
        assert secretary.get(reverse(f"recruitment:{name}", args=[other])).status_code == 404
        assert secretary.post(reverse(f"recruitment:{name}", args=[other]), {"full_id": "1"}).status_code == 404
        assert secretary.get(reverse(f"recruitment:{name}", args=[built.record.pk])).status_code == 200
    for org in (world.town.pk, world.tree.village_a2.pk, world.tree.town_b.pk):
        assert secretary.get(reverse("recruitment:form_activist_filing_xlsx", args=[org])).status_code == 404
    # A notice of one record through another record's URL.
    notice = reverse("recruitment:doc_notice", args=[built.other.pk, built.notice.pk])
    assert client_for(world).get(notice).status_code == 404
    member = client_for(world, "member")
    assert member.get(reverse("recruitment:doc_full_record", args=[built.record.pk])).status_code == 404
    assert member.get(reverse("recruitment:form_activist_filing_xlsx", args=[world.branch.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="recruitment.reveal.id_number").count() == 0


# --- the layout functions on their own ----------------------------------------------------------------------------


def test_layout_writes_to_a_path_from_plain_data(world: World, built: Built, tmp_path: Any) -> None:
    record = documents.record_in_scope(world.admin, built.record.pk)
    d = documents.dossier(record, today=dt.date(2026, 5, 18), generated_by="县管理员")
    path = tmp_path / "全程纪实.docx"
    documents.write_full_record(d, str(path))
    doc = Document(str(path))
    assert doc.paragraphs[-1].text == "中共甲镇一村支部委员会　　2026年5月18日生成（县管理员）"
    assert doc.core_properties.title == "周新同志发展党员全程纪实"
    xlsx = tmp_path / "list.xlsx"
    documents.write_list_xlsx(documents.CANDIDATE_FILING, [d], "中共甲镇委员会", D("2022-01-01"), D("2022-12-31"), str(xlsx))
    ws = openpyxl.load_workbook(xlsx).worksheets[0]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize in (9, "9")
    assert round(ws.page_margins.top * 25.4) == 37 and round(ws.page_margins.left * 25.4) == 28
    header = [c.value for c in ws[2]]
    row = dict(zip(header, [c.value for c in ws[3]], strict=True))
    assert (row["序号"], row["姓名"], row["确定为发展对象日期"]) == (1, "周新", "2022年6月6日")
    assert row["公示情况"] == "2022年6月7日至2022年6月13日（5个工作日），无异议"
    assert row["培养考察次数"] == "2"
    assert documents.cn_date(dt.date(2026, 5, 18)) == "2026年5月18日"


def test_the_file_catalog_dates_an_upload_in_the_county_s_day_not_utc(world: World, built: Built) -> None:
    # Uploaded at 01:30 Beijing time on 2026-05-02 — still 2026-05-01 in UTC, as the database keeps it.
    built.record.documents.update(uploaded_at=dt.datetime(2026, 5, 1, 17, 30, tzinfo=dt.UTC))
    text = text_of(open_docx(client_for(world).get(reverse("recruitment:doc_full_record", args=[built.record.pk]))))
    assert "2026年5月2日" in text and "2026年5月1日" not in text
