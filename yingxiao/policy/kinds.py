"""Parameter types: parsing user input, validating it, and converting to and from stored JSON.

Python values handed to callers:
- int, day of month → ``int``; decimal, percent → ``Decimal`` (a percent is the number of
  percent: ``bad_debt_max`` 0.2 % → ``Decimal("0.2")``); time → ``datetime.time``;
  weekday → ``calendar.Day`` (compares equal to ``date.weekday()``, Monday = 0);
  range → ``(Decimal min, Decimal max)``; list → ``list[str]``; bool → ``bool``.
Stored JSON: ints as numbers, decimals as strings, time "HH:MM", weekday its English name,
range ``["min", "max"]``, list of strings, bool.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError

from . import errors

if TYPE_CHECKING:
    from .catalog import ParamSpec


class Kind(models.TextChoices):
    INT = "int", _("whole number")
    DECIMAL = "decimal", _("decimal")
    PERCENT = "percent", _("percentage")
    TIME = "time", _("time of day")
    WEEKDAY = "weekday", _("weekday")
    DAY_OF_MONTH = "day_of_month", _("day of month")
    RANGE = "range", _("range")
    LIST = "list", _("list")
    BOOL = "bool", _("yes / no")


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ALIASES = {
    **{name: i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name[:3]: i for i, name in enumerate(WEEKDAY_NAMES)},
    **{f"周{c}": i for i, c in enumerate("一二三四五六日")},
    **{f"星期{c}": i for i, c in enumerate("一二三四五六日")},
    "周天": 6,
    "星期天": 6,
}
WEEKDAY_LABELS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_RANGE_RE = re.compile(r"^\s*(-?[\d.]+)\s*(?:\.\.|–|-|~|～|至)\s*(-?[\d.]+)\s*$")
_MONEY_MAX = Decimal("100000000")


def _invalid(spec: ParamSpec, error: Any = errors.INVALID_VALUE, **params: Any) -> BusinessError:
    return BusinessError(error, field="value", name=spec.name, **params)


def _decimal(spec: ParamSpec, raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _invalid(spec, errors.NOT_A_NUMBER, value=raw)
    try:
        value = Decimal(str(raw).strip().rstrip("%").strip())
    except (InvalidOperation, ValueError) as exc:
        raise _invalid(spec, errors.NOT_A_NUMBER, value=raw) from exc
    if not value.is_finite():
        raise _invalid(spec, errors.NOT_A_NUMBER, value=raw)
    if value < 0:
        raise _invalid(spec, errors.NEGATIVE, value=raw)
    if value > _MONEY_MAX:
        raise _invalid(spec, errors.TOO_LARGE, value=raw)
    return value.normalize() if value == value.to_integral() else value


def _int(spec: ParamSpec, raw: Any, lo: int, hi: int | None = None) -> int:
    if isinstance(raw, bool):
        raise _invalid(spec, errors.NOT_A_WHOLE_NUMBER, value=raw)
    text = str(raw).strip()
    if not re.fullmatch(r"-?\d+", text):
        raise _invalid(spec, errors.NOT_A_WHOLE_NUMBER, value=raw)
    value = int(text)
    if value < 0:
        raise _invalid(spec, errors.NEGATIVE, value=raw)
    if value < lo or (hi is not None and value > hi):
        raise _invalid(spec, errors.OUT_OF_RANGE, value=raw, low=lo, high=hi if hi is not None else "∞")
    return value


def parse(spec: ParamSpec, raw: Any) -> Any:
    """Parse and validate user input for ``spec``; raises ``BusinessError`` with a clear message."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise _invalid(spec, errors.REQUIRED)
    kind = spec.kind
    if kind == Kind.INT:
        return _int(spec, raw, spec.minimum if spec.minimum is not None else 0, 100000)
    if kind == Kind.DAY_OF_MONTH:
        return _int(spec, raw, 1, 31)
    if kind == Kind.DECIMAL:
        return _decimal(spec, raw)
    if kind == Kind.PERCENT:
        value = _decimal(spec, raw)
        if value > 100:
            raise _invalid(spec, errors.PERCENT_OVER_100, value=raw)
        return value
    if kind == Kind.TIME:
        if isinstance(raw, dt.time):
            return raw.replace(second=0, microsecond=0)
        match = _TIME_RE.match(str(raw))
        if not match:
            raise _invalid(spec, errors.BAD_TIME, value=raw)
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59 or int(match[3] or 0) > 59:
            raise _invalid(spec, errors.BAD_TIME, value=raw)
        return dt.time(hour, minute)
    if kind == Kind.WEEKDAY:
        if isinstance(raw, int) and not isinstance(raw, bool):
            if 0 <= raw <= 6:
                return calendar.Day(raw)
            raise _invalid(spec, errors.BAD_WEEKDAY, value=raw)
        key = str(raw).strip().lower()
        if key.isdigit() and 0 <= int(key) <= 6:
            return calendar.Day(int(key))
        if key not in _WEEKDAY_ALIASES:
            raise _invalid(spec, errors.BAD_WEEKDAY, value=raw)
        return calendar.Day(_WEEKDAY_ALIASES[key])
    if kind == Kind.RANGE:
        return _range(spec, raw)
    if kind == Kind.LIST:
        items = raw if isinstance(raw, list | tuple) else str(raw).replace("，", ",").split(",")
        values = [str(item).strip() for item in items if str(item).strip()]
        if not values:
            raise _invalid(spec, errors.REQUIRED)
        unknown = [item for item in values if spec.choices and item not in spec.choices]
        if unknown:
            raise _invalid(spec, errors.BAD_CHOICE, value=", ".join(unknown), choices=", ".join(spec.choices))
        return list(dict.fromkeys(values))
    if kind == Kind.BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on", "是"):
            return True
        if text in ("0", "false", "no", "off", "否"):
            return False
        raise _invalid(spec, errors.INVALID_VALUE, value=raw)
    raise _invalid(spec, errors.INVALID_VALUE, value=raw)  # pragma: no cover - unknown kind


def _range(spec: ParamSpec, raw: Any) -> tuple[Decimal, Decimal]:
    if isinstance(raw, dict):
        parts: Any = (raw.get("min"), raw.get("max"))
    elif isinstance(raw, list | tuple):
        parts = raw
    else:
        match = _RANGE_RE.match(str(raw))
        if not match:
            raise _invalid(spec, errors.BAD_RANGE, value=raw)
        parts = (match[1], match[2])
    if len(parts) != 2 or parts[0] in (None, "") or parts[1] in (None, ""):
        raise _invalid(spec, errors.BAD_RANGE, value=raw)
    low, high = _decimal(spec, parts[0]), _decimal(spec, parts[1])
    if low > high:
        raise _invalid(spec, errors.RANGE_REVERSED, low=low, high=high)
    return (low, high)


def to_json(spec: ParamSpec, value: Any) -> Any:
    """The stored JSON form of a parsed value."""
    kind = spec.kind
    if kind in (Kind.DECIMAL, Kind.PERCENT):
        return str(value)
    if kind == Kind.TIME:
        return value.strftime("%H:%M")
    if kind == Kind.WEEKDAY:
        return WEEKDAY_NAMES[int(value)]
    if kind == Kind.RANGE:
        return [str(value[0]), str(value[1])]
    if kind == Kind.LIST:
        return list(value)
    return value


def from_json(spec: ParamSpec, stored: Any) -> Any:
    """The typed Python value of a stored JSON value (stored values were validated on write)."""
    kind = spec.kind
    if kind in (Kind.DECIMAL, Kind.PERCENT):
        return Decimal(str(stored))
    if kind == Kind.TIME:
        hour, minute = str(stored).split(":")[:2]
        return dt.time(int(hour), int(minute))
    if kind == Kind.WEEKDAY:
        return calendar.Day(WEEKDAY_NAMES.index(stored))
    if kind == Kind.RANGE:
        return (Decimal(str(stored[0])), Decimal(str(stored[1])))
    if kind == Kind.LIST:
        return list(stored)
    return stored


def display(spec: ParamSpec, stored: Any) -> str:
    """A short human-readable rendering of a stored value (in the active language)."""
    if stored is None:
        return "—"
    kind = spec.kind
    if kind == Kind.WEEKDAY:
        return str(WEEKDAY_LABELS[WEEKDAY_NAMES.index(stored)])
    if kind == Kind.RANGE:
        return f"{stored[0]}–{stored[1]}"
    if kind == Kind.LIST:
        return ", ".join(stored)
    if kind == Kind.BOOL:
        return str(_("yes") if stored else _("no"))
    return str(stored)
