from django.urls import path

from dangjian.dues import views

app_name = "dues"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.mine, name="mine"),
    # organizations: roll-ups, ledger, hand-ups, publication, yearly re-check, hardship approvals
    path("orgs/<int:pk>/", views.org_page, name="org"),
    path("orgs/<int:pk>/ledger/", views.ledger_pick, name="ledger_pick"),
    path("orgs/<int:pk>/ledger/<int:year>/<int:month>/", views.ledger, name="ledger"),
    path("orgs/<int:pk>/ledger/<int:year>/<int:month>/generate/", views.ledger_generate, name="ledger_generate"),
    path("orgs/<int:pk>/ledger/<int:year>/<int:month>/pay/", views.ledger_pay, name="ledger_pay"),
    path("orgs/<int:pk>/ledger/<int:year>/<int:month>/correct/", views.ledger_correct, name="ledger_correct"),
    path("orgs/<int:pk>/ledger/<int:year>.xlsx", views.ledger_export, name="ledger_export"),
    path("orgs/<int:pk>/handup/", views.handup, name="handup"),
    path("orgs/<int:pk>/uses/", views.uses, name="uses"),
    path("orgs/<int:pk>/hardship/", views.hardship_list, name="hardship_list"),
    path("orgs/<int:pk>/review/<int:year>/", views.review, name="review"),
    path("orgs/<int:pk>/publication/<int:year>/", views.publication, name="publication"),
    # members
    path("members/<int:pk>/", views.member_page, name="member"),
    path("members/<int:pk>/basis/", views.member_basis, name="member_basis"),
    path("members/<int:pk>/pay/", views.member_pay, name="member_pay"),
    path("members/<int:pk>/voluntary/", views.member_voluntary, name="member_voluntary"),
    path("members/<int:pk>/hardship/", views.hardship_new, name="hardship_new"),
    path("hardship/<int:pk>/", views.hardship_review, name="hardship_review"),
]
