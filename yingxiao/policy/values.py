"""Read the policy in force: ``policy_value("service_window_days")`` → 90.

The types, units and defaults come from ``catalog.py``; the versions come from ``PolicyValue``
rows. All versions are loaded in one query and kept per process until something may have
changed them: a policy change (on commit), the start of a request, the start of a task and the
start of a sweep clear the cache, so a long-running worker never applies a stale number.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections import defaultdict
from typing import Any

from django.utils import timezone

from . import kinds
from .catalog import BY_NAME, ParamSpec

# name → (sorted effective_from list, stored values in the same order)
_Versions = dict[str, tuple[list[dt.datetime], list[Any]]]
_cache: _Versions | None = None
_lock = threading.Lock()


class UnknownPolicyParameter(LookupError):
    """Code asked for a parameter that is not in the catalog (a typo must fail loudly)."""


def invalidate(**_kwargs: Any) -> None:
    """Forget cached versions; the next read loads them again (also a signal receiver)."""
    global _cache
    _cache = None


def _versions() -> _Versions:
    global _cache
    cached = _cache
    if cached is not None:
        return cached
    from .models import PolicyValue

    with _lock:
        loaded: dict[str, tuple[list[dt.datetime], list[Any]]] = defaultdict(lambda: ([], []))
        rows = PolicyValue.objects.order_by("effective_from", "id").values_list(
            "parameter__name", "effective_from", "value"
        )
        for name, effective_from, value in rows:
            times, values = loaded[name]
            times.append(effective_from)
            values.append(value)
        _cache = dict(loaded)
        return _cache


def spec_of(name: str) -> ParamSpec:
    try:
        return BY_NAME[name]
    except KeyError:
        raise UnknownPolicyParameter(name) from None


def stored_value(name: str, *, at: dt.datetime | None = None) -> Any:
    """The stored (JSON) value of ``name`` in force at ``at`` (default: now); the default if never changed."""
    spec = spec_of(name)
    at = at or timezone.now()
    times, values = _versions().get(name, ([], []))
    index = bisect.bisect_right(times, at)
    return values[index - 1] if index else spec.default


def policy_value(name: str, *, at: dt.datetime | None = None) -> Any:
    """The typed value of policy parameter ``name`` in force at ``at`` (default: now).

    ``policy_value("service_window_days")`` → 90; ``policy_value("invite_cutoff")`` →
    ``time(18, 0)``; ``policy_value("bad_debt_max")`` → ``Decimal("0.2")`` (percent);
    ``policy_value("complaint_fine")`` → ``(Decimal("200"), Decimal("1500"))``;
    ``policy_value("reconcile_weekday")`` → ``calendar.Day.FRIDAY`` (== 4 == ``date.weekday()``).
    """
    return kinds.from_json(spec_of(name), stored_value(name, at=at))


def policy_values(names: list[str] | tuple[str, ...], *, at: dt.datetime | None = None) -> dict[str, Any]:
    """Several typed values at once, for the same instant."""
    at = at or timezone.now()
    return {name: policy_value(name, at=at) for name in names}


def stored_values(names: list[str] | tuple[str, ...], *, at: dt.datetime | None = None) -> dict[str, Any]:
    """Several stored (JSON) values at once — what a rule run records as the policy it used."""
    at = at or timezone.now()
    return {name: stored_value(name, at=at) for name in names}
