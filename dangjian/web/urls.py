from django.urls import path

from dangjian.web import views

app_name = "web"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    # organizations
    path("orgs/", views.org_tree, name="org_tree"),
    path("orgs/pick/", views.org_pick, name="org_pick"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/children/", views.org_children, name="org_children"),
    path("orgs/<int:pk>/new/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org_edit"),
    path("orgs/<int:pk>/rename/", views.org_event, {"kind": "rename"}, name="org_rename"),
    path("orgs/<int:pk>/change-type/", views.org_event, {"kind": "change_type"}, name="org_change_type"),
    path("orgs/<int:pk>/move/", views.org_event, {"kind": "move"}, name="org_move"),
    path("orgs/<int:pk>/merge/", views.org_event, {"kind": "merge"}, name="org_merge"),
    path("orgs/<int:pk>/dissolve/", views.org_event, {"kind": "dissolve"}, name="org_dissolve"),
    path("orgs/<int:pk>/members/new/", views.member_create, name="member_create"),
    # members
    path("members/", views.member_search, name="member_search"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/timeline/", views.member_timeline, name="member_timeline"),
    path("members/<int:pk>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/events/new/", views.member_event, name="member_event"),
    # audit log (county administrators)
    path("audit/", views.audit, name="audit"),
    # configurable rule parameters (county administrators)
    path("settings/", views.rule_settings, name="settings"),
    path("settings/holidays/", views.holiday_schedules, name="holidays"),
]
