from django.urls import path

from dangjian.points import views

app_name = "points"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.mine, name="mine"),
    # organizations: the year's table or roll-up, schemes, entries, credits, postings, ratings
    path("orgs/<int:org_id>/", views.org_page, name="org"),
    path("orgs/<int:org_id>/schemes/new/", views.scheme_new, name="scheme_new"),
    path("orgs/<int:org_id>/entries/new/", views.entry_new, name="entry_new"),
    path("orgs/<int:org_id>/pending/", views.pending, name="pending"),
    path("orgs/<int:org_id>/credit/", views.credit, name="credit"),
    path("orgs/<int:org_id>/postings/new/", views.posting_new, name="posting_new"),
    path("orgs/<int:org_id>/ratings/", views.ratings, name="ratings"),
    path("orgs/<int:org_id>/<int:year>.xlsx", views.export, name="export"),
    path("orgs/<int:org_id>/branch-rating/", views.brating_new, name="brating_new"),
    path("members/<int:member_id>/", views.member_page, name="member"),
    path("schemes/<int:pscheme_id>/", views.scheme_page, name="scheme"),
    path("schemes/<int:pscheme_id>/edit/", views.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pscheme_id>/copy/", views.scheme_copy, name="scheme_copy"),
    path("items/<int:pitem_id>/", views.item_edit, name="item_edit"),
    path("entries/<int:pentry_id>/", views.entry_page, name="entry"),
    path("evidence/<int:pevidence_id>/", views.entry_evidence, name="evidence"),
    path("postings/<int:posting_id>/", views.posting_page, name="posting"),
    path("objections/<int:objection_id>/", views.objection_page, name="objection"),
    path("branch-ratings/<int:brating_id>/", views.brating_page, name="brating"),
    path("branch-ratings/<int:brating_id>/finalize/", views.brating_finalize, name="brating_finalize"),
]
