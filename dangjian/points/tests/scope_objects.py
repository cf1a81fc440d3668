"""For the scope walk (tests/test_scope_every_route.py): the URL parameter names of this app, its
models (for "nothing written" counts), and one object of each kind made through the services."""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.points import services
from dangjian.points.models import (
    BranchRating,
    BranchRatingLine,
    MemberRating,
    Objection,
    PointsEntry,
    PointsEvidence,
    PointsItem,
    PointsScheme,
    Posting,
)

PARAMS: dict[str, str] = {
    "pscheme_id": "pscheme",
    "pitem_id": "pitem",
    "pentry_id": "pentry",
    "pevidence_id": "pevidence",
    "posting_id": "posting",
    "objection_id": "objection",
    "brating_id": "brating",
}
MODELS: tuple = (PointsScheme, PointsItem, PointsEntry, PointsEvidence, Posting, Objection, MemberRating, BranchRating,
                 BranchRatingLine)  # fmt: skip

DAY = dt.date(2026, 11, 15)
YEAR = 2026
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
_births = itertools.count(0)


def make(actor, village, township) -> dict[str, int]:
    """A scheme owned by ``village`` (E6.1), a member of ``village`` with a manual entry and evidence,
    the third quarter's posting with an objection by that member, and a rating of ``village`` by
    ``township``; all by ``actor`` (a county administrator). Returns kind → pk (and "member")."""
    from dangjian.testing import make_member

    scheme = services.scheme_create(actor=actor, org=village, year=YEAR, template="E6.1", today=DAY)
    item = scheme.items.filter(source="manual", kind="add").order_by("position").first()
    n = next(_births)
    member = make_member(village, name="积分测试", birth_date=dt.date(1975, 1, 1) + dt.timedelta(days=n),
                         date=dt.date(2012, 7, 1), joined_on=dt.date(2012, 7, 1))
    entry = services.entry_add(actor=actor, member=member, item=item, date=dt.date(2026, 8, 3), reason="清理河道",
                               evidence=[SimpleUploadedFile("照片.png", PNG, content_type="image/png")], today=DAY)
    posting = services.posting_publish(actor=actor, org=village, year=YEAR, quarter=3, today=DAY)
    objection = services.objection_file(actor=actor, posting=posting, member=member, entry=entry,
                                        reason="本季度参加河道清理两次，只记了一次", today=DAY)
    rating = services.branch_rating_open(actor=actor, org=village, rater=township, year=YEAR, today=DAY)
    return {"pscheme": scheme.pk, "pitem": item.pk, "pentry": entry.pk, "pevidence": entry.evidence.get().pk, "posting": posting.pk,
            "objection": objection.pk, "brating": rating.pk, "member": member.pk}
