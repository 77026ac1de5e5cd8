"""Reads of the policy configuration: every employee may read the company's policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from . import kinds
from .catalog import BY_NAME, SECTIONS, Unit
from .models import PolicyParameter, PolicyValue


@dataclass
class ParameterView:
    """A parameter with the value in force now, the next scheduled change and its history."""

    parameter: PolicyParameter
    value: Any
    value_display: str
    unit_label: str
    in_force_since: dt.datetime | None
    scheduled: list[PolicyValue] = field(default_factory=list)
    history: list[PolicyValue] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.parameter.name


def _view(parameter: PolicyParameter, versions: list[PolicyValue], now: dt.datetime) -> ParameterView:
    spec = BY_NAME.get(parameter.name)
    current = next((v for v in versions if v.effective_from <= now), None)  # versions newest first
    stored = current.value if current else parameter.default
    return ParameterView(
        parameter=parameter,
        value=stored,
        value_display=kinds.display(spec, stored) if spec else str(stored),
        unit_label=str(Unit.LABELS.get(parameter.unit, parameter.unit)),
        in_force_since=current.effective_from if current else None,
        scheduled=[v for v in versions if v.effective_from > now],
        history=versions,
    )


def _parameters() -> Any:
    versions = PolicyValue.objects.select_related("changed_by").order_by("-effective_from", "-id")
    return PolicyParameter.objects.prefetch_related(Prefetch("values", queryset=versions, to_attr="versions"))


def policy_parameters(*, at: dt.datetime | None = None) -> list[ParameterView]:
    """Every parameter in catalog order (two queries)."""
    now = at or timezone.now()
    return [_view(p, p.versions, now) for p in _parameters()]


def policy_sections(*, at: dt.datetime | None = None) -> list[tuple[str, list[ParameterView]]]:
    """Parameters grouped by rule section (ORG, CUS, ACT…), in the order of rules.md."""
    grouped: dict[str, list[ParameterView]] = {}
    for view in policy_parameters(at=at):
        grouped.setdefault(view.parameter.section, []).append(view)
    order = {section: i for i, section in enumerate(SECTIONS)}
    return sorted(grouped.items(), key=lambda item: order.get(item[0], len(order)))


def policy_parameter(name: str) -> ParameterView | None:
    parameter = _parameters().filter(name=name).first()
    return _view(parameter, parameter.versions, timezone.now()) if parameter else None
