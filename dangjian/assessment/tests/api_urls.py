"""Until the lead mounts assessment's router on the project's API (/api/assessment/), the API tests
serve it from an API built the same way: the same auth, renderer and error handlers. Once mounted,
the tests use the project's own URLs (see test_api.API_URLCONF)."""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from config import urls as project_urls
from dangjian.api import api as core
from dangjian.api.auth import session_auth, token_auth
from dangjian.assessment.api import router
from dangjian.common.errors import ConflictError, NotPermitted, ServiceError

test_api = NinjaAPI(urls_namespace="assessment_api_test", auth=[token_auth, session_auth],
                    renderer=core.ChineseJSONRenderer(), docs_url=None)
for exc, handler in ((Http404, core._not_found), (NotPermitted, core._not_found), (HttpError, core._http_error),
                     (AuthenticationError, core._unauthenticated), (ServiceError, core._service_error),
                     (ConflictError, core._conflict), (ValidationError, core._schema_error)):  # fmt: skip
    test_api.add_exception_handler(exc, handler)
test_api.add_router("/assessment", router)
# The project's own routes follow, so that reverse() of the pages (links in traces) still works.
urlpatterns = [path("api/", test_api.urls), *project_urls.urlpatterns]
