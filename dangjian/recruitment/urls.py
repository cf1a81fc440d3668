from django.urls import include, path

from dangjian.recruitment import rules, views

app_name = "recruitment"
urlpatterns = [
    path("", views.record_list, name="record_list"),
    path("new/", views.record_create, name="record_create"),
    path("records/<int:record_id>/", views.record_detail, name="record_detail"),
    path("records/<int:record_id>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:record_id>/reveal/<str:field>/", views.record_reveal, name="record_reveal"),
    path("records/<int:record_id>/steps/<int:number>/", views.step_new, name="step_new"),
    path("records/<int:record_id>/notices/new/", views.notice_new, name="notice_new"),
    path("records/<int:record_id>/uploads/new/", views.upload_new, name="upload_new"),
    path("records/<int:record_id>/stop/", views.outcome, {"kind": rules.OUTCOME_STOPPED}, name="outcome_stop"),
    path("records/<int:record_id>/extend/", views.outcome, {"kind": rules.OUTCOME_EXTENDED}, name="outcome_extend"),
    path("records/<int:record_id>/cancel/", views.outcome, {"kind": rules.OUTCOME_CANCELLED}, name="outcome_cancel"),
    path("steps/<int:step_id>/withdraw/", views.step_withdraw, name="step_withdraw"),
    path("notices/<int:notice_id>/edit/", views.notice_edit, name="notice_edit"),
    path("uploads/<int:document_id>/", views.upload_file, name="upload_file"),
    path("", include("dangjian.recruitment.urls_documents")),
    path("", include("dangjian.recruitment.urls_reports")),
]
