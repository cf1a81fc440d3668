from django.urls import path

from dangjian.orglife import views

app_name = "orglife"
urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/<int:pk>/", views.org_home, name="org"),
    path("orgs/<int:pk>/meetings/", views.meetings, name="meetings"),
    path("orgs/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("orgs/<int:pk>/guest/", views.guest_lookup, name="guest_lookup"),
    path("orgs/<int:pk>/calendar/", views.calendar, name="calendar"),
    path("orgs/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("orgs/<int:pk>/class-hours/", views.class_hours, name="class_hours"),
    path("orgs/<int:pk>/trainings/", views.trainings, name="trainings"),
    path("orgs/<int:pk>/trainings/new/", views.training_create, name="training_create"),
    path("orgs/<int:pk>/committee/", views.committee, name="committee"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/grades/", views.meeting_grades, name="meeting_grades"),
    path("meetings/<int:pk>/files/", views.meeting_files_add, name="meeting_files_add"),
    path("files/<int:pk>/", views.meeting_file, name="file"),
    path("trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("posts/<int:pk>/end/", views.committee_end, name="committee_end"),
    path("members/<int:pk>/", views.member_year, name="member"),
]
