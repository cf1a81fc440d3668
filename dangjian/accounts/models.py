from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", "县委组织部管理员"
    TOWNSHIP_ORGANIZER = "township_organizer", "乡镇（街道）组织委员"
    BRANCH_SECRETARY = "branch_secretary", "支部书记/组织委员"
    INSPECTOR = "inspector", "只读督查员"
    MEMBER = "member", "党员"


# Roles that may write inside their subtree; the inspector reads only, a member sees only themselves.
WRITING_ROLES = {Role.COUNTY_ADMIN, Role.TOWNSHIP_ORGANIZER, Role.BRANCH_SECRETARY}
ORG_ROLES = WRITING_ROLES | {Role.INSPECTOR}


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.MEMBER)
    orgs = models.ManyToManyField("orgs.Org", blank=True, related_name="users", verbose_name="管理的党组织")
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="user", verbose_name="本人党员档案"
    )
    api_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def can_write(self) -> bool:
        return self.role in WRITING_ROLES

    @property
    def is_county_admin(self) -> bool:
        return self.role == Role.COUNTY_ADMIN


class LoginFailure(models.Model):
    """Failed logins by user name (also unknown names, so probing reveals nothing)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
