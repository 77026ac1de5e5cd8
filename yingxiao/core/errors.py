"""Stable error codes with translatable messages.

A service raises ``BusinessError(SOME_CODE, **params)``; the UI shows ``error.message`` and the
API answers ``{"code": ..., "message": ...}`` with the code's HTTP status. Tests assert the code,
never the wording, so messages can be improved and translated freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorCode:
    """One business error: a dotted stable code, a translatable message template, an HTTP status."""

    code: str
    message: str | Promise
    status: int = 400

    def __str__(self) -> str:
        return self.code


class BusinessError(Exception):
    """A refused business action; nothing has been changed when this is raised."""

    def __init__(self, error: ErrorCode, *, field: str | None = None, **params: Any) -> None:
        self.error = error
        self.field = field
        self.params = params
        super().__init__(error.code)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    @property
    def message(self) -> str:
        template = str(self.error.message)
        return template % self.params if self.params else template

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        return data


NOT_FOUND = ErrorCode("core.not_found", _("The record does not exist or is outside your data scope."), 404)
PERMISSION_DENIED = ErrorCode("core.permission_denied", _("You do not have permission to do this."), 403)
INVALID_INPUT = ErrorCode("core.invalid_input", _("The input is invalid."), 400)
NOT_AUTHENTICATED = ErrorCode("core.not_authenticated", _("Please log in first."), 401)
CONFLICT = ErrorCode("core.conflict", _("The record was changed by someone else; reload and try again."), 409)
