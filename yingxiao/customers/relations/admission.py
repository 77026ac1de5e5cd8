"""Admission checklist (准入条件, CUS-5): what a prospect must satisfy before it becomes a customer.

The checklist is data (``AdmissionCriterion``) an administrator maintains; the owner ticks each
item with its evidence (``AdmissionCheck``). ``admission_require`` refuses the step to 成交 while
any active item is unticked, naming the missing items.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import User

from ..models import AdmissionCheck, AdmissionCriterion, Customer
from .common import customer_for, require, text, versioned
from .errors import ADMISSION_INCOMPLETE, CRITERION_INACTIVE, EVIDENCE_REQUIRED

CRITERION_FIELDS = ("title", "description", "requires_evidence", "is_active", "position")


@dataclass
class ChecklistRow:
    """One active criterion and the customer's tick, if any."""

    criterion: AdmissionCriterion
    check: AdmissionCheck | None

    @property
    def satisfied(self) -> bool:
        return bool(self.check and self.check.satisfied)


def active_criteria() -> list[AdmissionCriterion]:
    return list(AdmissionCriterion.objects.filter(is_active=True).order_by("position", "pk"))


def checklist_of(customer: Customer) -> list[ChecklistRow]:
    """The active checklist with the customer's ticks (two queries); call after scoping the customer."""
    checks = {c.criterion_id: c for c in AdmissionCheck.objects.filter(customer=customer).select_related("checked_by")}
    return [ChecklistRow(criterion, checks.get(criterion.pk)) for criterion in active_criteria()]


def admission_missing(customer: Customer) -> list[AdmissionCriterion]:
    """Active criteria the customer has not satisfied (one query)."""
    return list(
        AdmissionCriterion.objects.filter(is_active=True)
        .exclude(pk__in=AdmissionCheck.objects.filter(customer=customer, satisfied=True).values("criterion_id"))
        .order_by("position", "pk")
    )


def admission_require(customer: Customer) -> None:
    """rule: CUS-5 — refuse the step to 成交 while any active checklist item is unticked."""
    missing = admission_missing(customer)
    if missing:
        raise BusinessError(ADMISSION_INCOMPLETE, field="stage", missing="、".join(c.title for c in missing))


def admission_tick(
    *, actor: User, customer: Customer, criterion: AdmissionCriterion, satisfied: bool = True, evidence: str = ""
) -> AdmissionCheck:
    """The owner (or anyone who may change the customer) ticks or unticks a criterion, with evidence."""
    require(actor, "customers.add_admissioncheck")
    evidence = text(evidence, field="evidence", max_length=1000, required=False)
    current = AdmissionCriterion.objects.filter(pk=criterion.pk).first()  # retired since the page was shown?
    if current is None or not current.is_active:
        raise BusinessError(CRITERION_INACTIVE, field="criterion")
    criterion = current
    if satisfied and criterion.requires_evidence and not evidence:
        raise BusinessError(EVIDENCE_REQUIRED, field="evidence")
    with transaction.atomic():
        locked = customer_for(actor, customer, "change", lock=True)
        check = AdmissionCheck.objects.filter(customer=locked, criterion=criterion).first()
        if check is None:
            check = AdmissionCheck(customer=locked, criterion=criterion)
        elif check.satisfied == bool(satisfied) and check.evidence == evidence:
            return check
        check.satisfied = bool(satisfied)
        check.evidence = evidence
        check.checked_by = actor
        check.checked_at = timezone.now()
        versioned(check, actor, _("Admission criterion ticked") if satisfied else _("Admission criterion unticked"))
        check.save()
    return check


def _criterion_data(data: Mapping[str, Any]) -> dict[str, Any]:
    fields = {key: value for key, value in data.items() if key in CRITERION_FIELDS}
    if "title" in fields:
        fields["title"] = text(fields["title"], field="title", max_length=200)
    if "description" in fields:
        fields["description"] = text(fields["description"], field="description", max_length=2000, required=False)
    return fields


def criterion_create(*, actor: User, data: Mapping[str, Any]) -> AdmissionCriterion:
    """An administrator adds a checklist item (the checklist is configuration, CUS-5)."""
    require(actor, "customers.add_admissioncriterion")
    criterion = AdmissionCriterion(**_criterion_data(data))
    criterion.full_clean()
    versioned(criterion, actor, _("Admission criterion added"))
    criterion.save()
    return criterion


def criterion_update(*, actor: User, criterion: AdmissionCriterion, data: Mapping[str, Any]) -> AdmissionCriterion:
    """Edit or retire (``is_active=False``) a checklist item; versioned. Retired items stop being required."""
    require(actor, "customers.change_admissioncriterion")
    with transaction.atomic():
        locked = AdmissionCriterion.objects.select_for_update().filter(pk=criterion.pk).first()
        if locked is None:
            raise BusinessError(NOT_FOUND)
        for key, value in _criterion_data(data).items():
            setattr(locked, key, value)
        locked.full_clean()
        versioned(locked, actor, _("Admission criterion edited"))
        locked.save()
    return locked
