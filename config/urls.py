from django.urls import include, path

urlpatterns = [
    path("api/", include("dangjian.api.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("ledgers/", include("dangjian.ledgers.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("supervision/", include("dangjian.supervision.urls")),
    path("assessment/", include("dangjian.assessment.urls")),
    path("points/", include("dangjian.points.urls")),
    path("rectification/", include("dangjian.rectification.urls")),
    path("", include("dangjian.web.urls")),
]
