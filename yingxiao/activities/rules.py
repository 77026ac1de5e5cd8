"""Policy rules of the contact log, declared in one place.

CUS-7 ``{qualifying_activity_types}``: which logged contacts count as service (服务到位) and so
keep a customer out of the public pool. The value comes from the policy configuration
(``policy_value("qualifying_activity_types")``), whose default is the one below. Nothing else in
the code names qualifying kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

from .models import Activity

# rule: CUS-7 — visit, home visit, phone call with an outcome. SMS and message-only contacts
# never qualify (nor do letters and e-mails, which the policy does not list). "Invitation
# accepted" and "event attended" qualify too, but they are recorded by invitations, not here.
# A ":result" suffix means the contact counts only when its result (outcome) is filled in.
DEFAULT_QUALIFYING_ACTIVITY_TYPES: tuple[str, ...] = ("visit", "home_visit", "call:result")

# rule: CUS-7 — contacts that can never count as service, whatever the configuration says.
NEVER_QUALIFYING: frozenset[str] = frozenset({Activity.Kind.SMS, Activity.Kind.MESSAGE})


def parse_qualifying_activity_types(values: Iterable[str]) -> Mapping[str, bool]:
    """Parse the CUS-7 parameter: ``["visit", "call:result"]`` → ``{kind: needs_result}``.

    Unknown kinds are rejected (a typo in the configuration must not silently stop counting
    service); SMS and messages are rejected because the policy says they never qualify.
    """
    known = set(Activity.Kind.values)
    parsed: dict[str, bool] = {}
    for raw in values:
        kind, _sep, condition = str(raw).strip().partition(":")
        if kind not in known:
            raise ValueError(f"unknown activity kind in qualifying_activity_types: {raw!r}")
        if kind in NEVER_QUALIFYING:
            raise ValueError(f"{kind!r} never counts as service (CUS-7)")
        if condition not in ("", "result"):
            raise ValueError(f"unknown condition in qualifying_activity_types: {raw!r}")
        parsed[kind] = condition == "result"
    return MappingProxyType(parsed)


def qualifying_kinds(at: datetime | None = None) -> Mapping[str, bool]:
    """The CUS-7 ``{qualifying_activity_types}`` in force at ``at``: ``{kind: needs a result to count}``."""
    from yingxiao.policy.values import policy_value

    return parse_qualifying_activity_types(policy_value("qualifying_activity_types", at=at))


def counts_as_service(kind: str, result: str) -> bool:
    """Whether a contact of ``kind`` with ``result`` is qualifying service (CUS-7, ACT-1)."""
    kinds = qualifying_kinds()
    if kind not in kinds:
        return False
    return bool(result.strip()) if kinds[kind] else True
