"""A URLconf for the API tests: this app's router on a NinjaAPI with the project API's authentication,
renderer and exception handlers (so errors have the same Chinese bodies and status codes), at
/api/supervision/ — independent of whether the lead has mounted it on the main API yet."""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI

from dangjian.api.api import ChineseJSONRenderer
from dangjian.api.api import api as main_api
from dangjian.api.auth import session_auth, token_auth
from dangjian.supervision.api import router

test_api = NinjaAPI(urls_namespace="supervision_test_api", auth=[token_auth, session_auth], renderer=ChineseJSONRenderer(),
                    docs_url=None, openapi_url=None)
for exc_class, handler in main_api._exception_handlers.items():
    test_api.add_exception_handler(exc_class, handler)
test_api.add_router("/supervision", router)

urlpatterns = [path("api/", test_api.urls)]
