from django.urls import path

from dangjian.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:scheme_id>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:scheme_id>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:scheme_id>/nodes/new/", views.node_new, name="node_new"),
    path("schemes/<int:scheme_id>/activate/", views.scheme_activate, name="scheme_activate"),
    path("schemes/<int:scheme_id>/copy/", views.scheme_copy, name="scheme_copy"),
    path("schemes/<int:scheme_id>/finalize/", views.scheme_finalize, name="scheme_finalize"),
    path("schemes/<int:scheme_id>/publish/", views.scheme_publish, name="scheme_publish"),
    path("schemes/<int:scheme_id>/close/", views.scheme_close, name="scheme_close"),
    path("schemes/<int:scheme_id>/ranking/", views.ranking, name="ranking"),
    path("schemes/<int:scheme_id>/results.xlsx", views.export_xlsx, name="export_xlsx"),
    path("schemes/<int:scheme_id>/report.docx", views.export_docx, name="export_docx"),
    path("nodes/<int:node_id>/edit/", views.node_edit, name="node_edit"),
    path("nodes/<int:node_id>/move/", views.node_move, name="node_move"),
    path("nodes/<int:node_id>/remove/", views.node_remove, name="node_remove"),
    path("results/<int:result_id>/", views.result_detail, name="result"),
    path("results/<int:result_id>/self/", views.self_assess, name="self_assess"),
    path("results/<int:result_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("results/<int:result_id>/submit/", views.result_submit, name="result_submit"),
    path("results/<int:result_id>/review/", views.review, name="review"),
    path("results/<int:result_id>/return/", views.result_return, name="result_return"),
    path("results/<int:result_id>/inspections/new/", views.inspection_new, name="inspection_new"),
    path("results/<int:result_id>/evaluations/new/", views.evaluation_new, name="evaluation_new"),
    path("inspections/<int:inspection_id>/", views.inspection_detail, name="inspection"),
    path("evaluations/<int:evaluation_id>/", views.evaluation_detail, name="evaluation"),
    path("files/<int:assessfile_id>/", views.file_download, name="file"),
]
