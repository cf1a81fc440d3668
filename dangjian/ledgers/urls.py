from django.urls import path

from dangjian.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.home, name="home"),
    path("template.xlsx", views.template_download, name="template"),
    path("export/roster/", views.export_roster, name="export_roster"),
    path("export/orgs/", views.export_orgs, name="export_orgs"),
    path("import/", views.upload, name="upload"),
    path("import/<int:pk>/", views.job_page, name="job"),
    path("import/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("import/<int:pk>/commit/", views.job_commit, name="job_commit"),
    path("import/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("import/<int:pk>/errors/", views.job_errors_file, name="job_errors_file"),
]
