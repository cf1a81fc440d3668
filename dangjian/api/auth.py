"""How an API caller proves who they are: a bearer token (issued by ``dangjian issue_token``; only
its hash is stored) or the Django session of the pages, with CSRF on unsafe methods."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from dangjian.accounts.models import User
from dangjian.accounts.services import token_hash

UNAUTHENTICATED = "未登录：请先登录，或在 Authorization 请求头中提供有效的令牌（Bearer <token>）。"
CSRF_FAILED = "CSRF 校验失败：使用登录会话调用接口时，修改类请求须带 X-CSRFToken 请求头。请刷新页面后重试。"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. A stopped (inactive) account is refused like a wrong token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        user = User.objects.filter(api_token_hash=token_hash(token), is_active=True).first()
        if user is not None:
            # Services and selectors take the acting user; the pages find it on request.user.
            request.user = user
        return user


class SessionCsrfAuth(SessionAuth):
    """The pages' login session. CSRF is checked only for a logged-in caller, so an anonymous write
    answers 401 (not logged in) rather than a CSRF failure."""

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, CSRF_FAILED)
        return user


token_auth = TokenAuth()
session_auth = SessionCsrfAuth(csrf=True)


def unauthenticated_response() -> JsonResponse:
    response = JsonResponse({"detail": UNAUTHENTICATED}, status=401, json_dumps_params={"ensure_ascii": False})
    response["WWW-Authenticate"] = 'Bearer realm="dangjian"'
    return response


def require_api_user(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the OpenAPI schema and the docs page: signed-in users (token or session) only. Outsiders
    learn nothing about the platform, not even its routes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if token_auth(request) is None and session_auth(request) is None:
            return unauthenticated_response()
        return view(request, *args, **kwargs)

    return wrapper
