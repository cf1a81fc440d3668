from django.urls import path

from dangjian.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.home, name="home"),
    # a county's or township's view: counts per township, candidates, nominations, surveys
    path("orgs/<int:org_id>/", views.org_page, name="org"),
    path("orgs/<int:org_id>/counts.xlsx", views.counts_export, name="counts_export"),
    path("orgs/<int:org_id>/cases/", views.case_list, name="case_list"),
    path("orgs/<int:org_id>/identify/", views.identify, name="identify"),
    path("orgs/<int:org_id>/nominate/", views.nominate, name="nominate"),
    path("orgs/<int:org_id>/surveys/", views.surveys, name="surveys"),
    path("orgs/<int:org_id>/surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    # one organization's case of a year
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/confirm/", views.case_confirm, name="case_confirm"),
    path("cases/<int:case_id>/dismiss/", views.case_dismiss, name="case_dismiss"),
    path("cases/<int:case_id>/plan/", views.plan_new, name="plan_new"),
    path("cases/<int:case_id>/plan/edit/", views.plan_edit, name="plan_edit"),
    path("cases/<int:case_id>/milestones/", views.milestone_add, name="milestone_add"),
    path("cases/<int:case_id>/progress/", views.progress_add, name="progress_add"),
    path("cases/<int:case_id>/acceptance/", views.acceptance_add, name="acceptance_add"),
    path("milestones/<int:milestone_id>/done/", views.milestone_done, name="milestone_done"),
    path("progress/<int:progress_id>/files/", views.progress_files, name="progress_files"),
    path("files/<int:rfile_id>/", views.file_download, name="file"),
]
