"""URLs for the API tests until the lead mounts the router under /api/rectification/: a NinjaAPI with
the platform's own authentication and error handlers around this router, plus the apps whose pages
the findings link to (not the whole project, so another app's unfinished pages cannot break these)."""

from __future__ import annotations

from django.urls import include, path
from ninja import NinjaAPI

from dangjian.api.api import api as platform_api
from dangjian.rectification.api import router

test_api = NinjaAPI(urls_namespace="rectification_test_api", auth=platform_api.auth,
                    renderer=platform_api.renderer)
for exc_class, handler in platform_api._exception_handlers.items():
    test_api.add_exception_handler(exc_class, handler)
test_api.add_router("/rectification", router)

urlpatterns = [
    path("test-api/", test_api.urls),
    path("orglife/", include("dangjian.orglife.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("rectification/", include("dangjian.rectification.urls")),
]
