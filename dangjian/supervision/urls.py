from django.urls import path

from dangjian.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:task_id>/", views.task_detail, name="task_detail"),
    path("tasks/<int:task_id>/board.xlsx", views.board_export, name="board_export"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("items/<int:item_id>/acknowledge/", views.item_acknowledge, name="item_acknowledge"),
    path("items/<int:item_id>/progress/", views.item_progress, name="item_progress"),
    path("items/<int:item_id>/submit/", views.item_submit, name="item_submit"),
    path("items/<int:item_id>/return/", views.item_return, name="item_return"),
    path("items/<int:item_id>/accept/", views.item_accept, name="item_accept"),
    path("items/<int:item_id>/cascade/", views.item_cascade, name="item_cascade"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
]
