from django.urls import include, path

urlpatterns = [
    path("api/", include("dangjian.api.urls")),
    path("", include("dangjian.web.urls")),
]
