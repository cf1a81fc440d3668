"""Document routes of membership development, included into the "recruitment" namespace by
``recruitment/urls.py`` (``path("", include("dangjian.recruitment.urls_documents"))``): the forms and
the full record of one person under ``records/<record_id>/documents/``, the lists of an organization
over a period under ``forms/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from dangjian.recruitment import views_documents as v

urlpatterns: list[URLPattern] = [
    path("records/<int:record_id>/documents/activist-filing.docx", v.record_activist_filing, name="doc_activist_filing"),
    path("records/<int:record_id>/documents/candidate-filing.docx", v.record_candidate_filing,
         name="doc_candidate_filing"),
    path("records/<int:record_id>/documents/pre-review.docx", v.record_pre_review, name="doc_pre_review"),
    path("records/<int:record_id>/documents/admission-approval.docx", v.record_admission_approval,
         name="doc_admission_approval"),
    path("records/<int:record_id>/documents/conversion-approval.docx", v.record_conversion_approval,
         name="doc_conversion_approval"),
    path("records/<int:record_id>/documents/notices/<int:notice_id>.docx", v.record_notice, name="doc_notice"),
    path("records/<int:record_id>/documents/full-record.docx", v.record_full_docx, name="doc_full_record"),
    path("records/<int:record_id>/documents/full-record/", v.record_full_html, name="doc_full_record_html"),
    path("forms/", v.forms_index, name="forms"),
] + [
    # forms/<org_id>/admission-approval.xlsx ... (name "form_admission_approval_xlsx")
    path(f"forms/<int:org_id>/{kind}.{fmt}", view, name=f"form_{kind.replace('-', '_')}_{fmt}")
    for (kind, fmt), view in v.LIST_VIEWS.items()
]  # fmt: skip
