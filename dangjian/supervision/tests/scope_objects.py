"""Objects of supervision for the scope walk (tests/test_scope_every_route.py): URL parameter names →
kinds, the models counted for "nothing written", and ``make``, which issues a task from ``township`` to
``village`` through the services (as ``actor``, a county administrator) and submits evidence on it."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.models import Org
from dangjian.supervision import services
from dangjian.supervision.models import Evidence, Item, ItemEvent, Task
from dangjian.supervision.tests.conftest import PNG

PARAMS: dict[str, str] = {"task_id": "task", "item_id": "item", "evidence_id": "evidence"}
MODELS: tuple = (Task, Item, ItemEvent, Evidence)


def make(actor: User, village: Org, township: Org) -> dict[str, int]:
    today = timezone.localdate()
    task = services.task_issue(actor=actor, issuer=township, title=f"{township.name}督办任务", deadline=today + dt.timedelta(days=30),
                               receiver_orgs=[village], today=today)  # fmt: skip
    item = task.items.get()
    services.item_submit(actor=actor, item=item, text="已完成", files=[SimpleUploadedFile("照片.png", PNG)], today=today)
    return {"task": task.pk, "item": item.pk, "evidence": item.evidence.get().pk}
