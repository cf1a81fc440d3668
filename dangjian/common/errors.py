"""Errors services raise. Views and the API turn them into Chinese messages on the form or a JSON
error; nothing is written when one is raised (every service is one transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

CONFLICT = "保存失败：该记录已被他人修改（您打开后有新的保存）。请刷新页面，核对最新内容后再修改。"


class ServiceError(Exception):
    """Bad input: ``errors`` maps a field name (or "__all__") to its Chinese messages."""

    def __init__(self, errors: dict[str, list[str]] | str, field: str = "__all__") -> None:
        self.errors = {field: [errors]} if isinstance(errors, str) else errors
        super().__init__("；".join(m for msgs in self.errors.values() for m in msgs))

    @property
    def messages(self) -> list[str]:
        return [m for msgs in self.errors.values() for m in msgs]


class FieldErrors(dict[str, list[str]]):
    """What a service found wrong, gathered field by field before anything is written."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)

    def merge(self, other: dict[str, list[str]]) -> None:
        for field, messages in other.items():
            for message in messages:
                self.add(field, message)

    def raise_if_any(self) -> None:
        if self:
            raise ServiceError(dict(self))


class ConflictError(ServiceError):
    """Someone else saved the record since this user opened it (optimistic locking)."""

    def __init__(self) -> None:
        super().__init__(CONFLICT)


class NotPermitted(Exception):
    """The acting user may not do this here. Views answer 404, as for anything out of scope."""


@contextmanager
def fields_renamed(**renames: str) -> Iterator[None]:
    """Report a service's errors under the field names of the request where the two differ (the service's
    ``org`` is an API's ``org_id``), so a client finds each message on the field it sent."""
    try:
        yield
    except ServiceError as exc:
        for service_name, request_name in renames.items():
            if service_name in exc.errors:
                exc.errors[request_name] = exc.errors.pop(service_name)
        raise
