"""For the lead's scope walk (tests/test_scope_every_route.py): the URL parameters of assessment, its
models (for "nothing written" counts), and ``make`` — one object of each kind for ``village``, created
through the services by ``actor`` (the county administrator)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.assessment import rules, services
from dangjian.assessment.models import (
    AssessFile,
    Evaluation,
    EvaluationGroup,
    Inspection,
    InspectionScore,
    ItemScore,
    Node,
    Result,
    Scheme,
)
from dangjian.orgs.models import Org

PARAMS: dict[str, str] = {
    "scheme_id": "scheme", "node_id": "node", "result_id": "result", "inspection_id": "inspection",
    "evaluation_id": "evaluation", "assessfile_id": "assessfile",
}  # fmt: skip
MODELS = (Scheme, Node, Result, ItemScore, Inspection, InspectionScore, Evaluation, EvaluationGroup, AssessFile)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make(actor: User, village: Org, township: Org) -> dict[str, int]:
    """A scheme owned by ``township`` assessing its branches (started), the result of ``village`` with
    one self-assessed item and an evidence file, an inspection and an evaluation. Nothing per member."""
    today = timezone.localdate()
    scheme = services.scheme_create(actor=actor, owner=township, year=today.year, name="党支部考核",
                                    kind=rules.KIND_ALL_BRANCHES)
    area = services.node_add(actor=actor, scheme=scheme, parent=None, title="基础工作")
    manual = services.node_add(actor=actor, scheme=scheme, parent=area, title="班子建设", max_points="10")
    inspected = services.node_add(actor=actor, scheme=scheme, parent=area, title="日常督查", max_points="10",
                                  source=rules.SRC_INSPECTION)
    evaluated = services.node_add(actor=actor, scheme=scheme, parent=area, title="述职评议", max_points="20",
                                  source=rules.SRC_EVALUATION)
    services.scheme_activate(actor=actor, scheme=scheme)
    result = Result.objects.get(scheme=scheme, org=village)
    services.self_assess(actor=actor, result=result, values={manual.pk: ("8", "")})
    evidence = services.evidence_add(actor=actor, result=result, node=manual, file=SimpleUploadedFile("材料.png", PNG))
    inspection = services.inspection_record(actor=actor, result=result, date=today, scores={inspected.pk: "9"}, today=today)
    evaluation = services.evaluation_record(actor=actor, result=result, node=evaluated, date=today, today=today,
                                            groups=[{"name": "本单位", "weight": "20", "good": 5, "fair": 1}])
    return {"scheme": scheme.pk, "node": manual.pk, "result": result.pk, "inspection": inspection.pk,
            "evaluation": evaluation.pk, "assessfile": evidence.pk}  # fmt: skip
