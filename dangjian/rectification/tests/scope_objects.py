"""For the lead's scope walk: the URL parameters of rectification, every model (for "nothing written"
counts) and ``make``, which creates one object of each kind through the services."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.rectification import services
from dangjian.rectification.models import (
    Acceptance,
    Case,
    Finding,
    Milestone,
    Plan,
    ProgressReport,
    RectificationFile,
    SatisfactionSurvey,
)

PARAMS: dict[str, str] = {
    "case_id": "rectification_case",
    "milestone_id": "rectification_milestone",
    "progress_id": "rectification_progress",
    "rfile_id": "rectification_file",
    "survey_id": "rectification_survey",
}
MODELS: tuple = (Case, Finding, Plan, Milestone, ProgressReport, Acceptance, RectificationFile, SatisfactionSurvey)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make(actor, village, township) -> dict[str, int]:
    """A confirmed case of ``village`` (nominated by ``actor``, a county administrator above it) with a
    plan (the leader is ``actor``), a milestone, a progress report with a file, and the village's
    satisfaction survey; dated in the past so it works whatever the day."""
    today = timezone.localdate()
    year = today.year
    survey = services.survey_record(actor=actor, org=village, year=year, date=today, respondents=100, satisfied=50,
                                    method="入户问卷", today=today)
    case = services.case_nominate(actor=actor, org=village, year=year, category="c03", reason="班子不团结，内耗严重。",
                                  today=today)
    services.case_confirm(actor=actor, case=case, today=today)
    services.plan_create(actor=actor, case=case, responsible_person=f"{township.name}组织委员",
                         responsibility="抓班子、建制度", goal="年底前班子团结、组织生活正常", reward_penalty="验收不通过的约谈",
                         leader=actor, leader_name="包联领导", leader_post="县委常委", deadline=today + dt.timedelta(days=90),
                         today=today)  # fmt: skip
    milestone = services.milestone_add(actor=actor, case=case, title="调整班子", due=today + dt.timedelta(days=30),
                                       today=today)
    progress = services.progress_report(actor=actor, case=case, date=today, text="已召开专题会议。",
                                        files=[SimpleUploadedFile("会议.png", PNG, content_type="image/png")], today=today)
    rfile = progress.files.get()
    return {"rectification_case": case.pk, "rectification_milestone": milestone.pk,
            "rectification_progress": progress.pk, "rectification_file": rfile.pk,
            "rectification_survey": survey.pk}
