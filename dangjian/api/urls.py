"""/api/: the django-ninja API (OpenAPI at /api/openapi.json, docs at /api/docs) and the docs page's
own assets, served from the installed django-ninja package so nothing comes from a CDN."""

from __future__ import annotations

from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from dangjian.api.api import DOCS_ASSETS, api

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"


@require_GET
@cache_control(max_age=86400)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in DOCS_ASSETS:
        raise Http404
    return FileResponse((NINJA_STATIC / name).open("rb"), content_type=DOCS_ASSETS[name])


urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api_docs_asset"),
    path("", api.urls),
]
