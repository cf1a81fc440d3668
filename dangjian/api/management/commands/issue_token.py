"""``dangjian issue_token <username>``: a new API token for a user, printed once (only its hash is
stored; issuing a new one replaces the old). Audited through accounts.services.user_issue_api_token."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dangjian.accounts.models import User
from dangjian.accounts.services import user_issue_api_token


class Command(BaseCommand):
    help = "为用户签发 API 令牌（只显示这一次；再次签发会使旧令牌失效）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在。")
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用，不能签发令牌。")
        # Run from the server's shell by an administrator: the audit records the system as the actor.
        token = user_issue_api_token(actor=None, user=user)
        self.stderr.write(f"已为用户“{username}”签发 API 令牌（只显示这一次，请妥善保存；旧令牌已失效）：")
        self.stdout.write(token)
        self.stderr.write("使用方法：请求头 Authorization: Bearer <令牌>")
