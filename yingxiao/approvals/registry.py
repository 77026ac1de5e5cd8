"""Request types (审批类型): other apps register theirs here, the engine never imports them.

    from yingxiao.approvals.registry import StepSpec, register_request_type

    register_request_type(
        "leave", _("Leave"),
        steps=[StepSpec("superior"), StepSpec("department_head", days_at_least=Decimal(3))],
        on_approved=leave_apply, on_rejected=leave_refuse,
    )

``steps`` is the default flow, copied into the database the first time a request of the type is
submitted; from then on the stored ``Flow`` (editable in the admin) is what routes. Callbacks get
the ``Instance`` and run inside the deciding transaction, so the business change and the
approval commit or fail together. Registering a code again replaces the registration (the
owning app adds its callbacks to a type the engine ships, e.g. ``blacklist``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import Instance

Callback = Callable[["Instance"], Any]


@dataclass(frozen=True)
class StepSpec:
    """A default step: ``kind`` is ``superior``, ``department_head`` or ``role`` (with ``role_code``)."""

    kind: str
    role_code: str = ""
    name: str = ""
    amount_at_least: Decimal | None = None
    days_at_least: Decimal | None = None
    pct_at_least: Decimal | None = None


@dataclass(frozen=True)
class RequestType:
    """A registered kind of request and what happens when it is decided."""

    code: str
    label: str | Promise
    steps: tuple[StepSpec, ...] = ()
    on_approved: Callback | None = None
    on_rejected: Callback | None = None  # rejected; also cancelled unless on_cancelled is given
    on_cancelled: Callback | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, RequestType] = {}


def register_request_type(
    code: str,
    label: str | Promise,
    *,
    steps: Iterable[StepSpec] = (),
    on_approved: Callback | None = None,
    on_rejected: Callback | None = None,
    on_cancelled: Callback | None = None,
) -> RequestType:
    """Register (or replace) a request type; returns the registration."""
    if not code or len(code) > 50:
        raise ValueError("a request type code is 1 to 50 characters")
    request_type = RequestType(
        code=code,
        label=label,
        steps=tuple(steps),
        on_approved=on_approved,
        on_rejected=on_rejected,
        on_cancelled=on_cancelled,
    )
    _REGISTRY[code] = request_type
    return request_type


def get_request_type(code: str) -> RequestType | None:
    return _REGISTRY.get(code)


def request_types() -> list[RequestType]:
    return sorted(_REGISTRY.values(), key=lambda t: t.code)


def label_of(code: str) -> str:
    request_type = _REGISTRY.get(code)
    return str(request_type.label) if request_type else code
