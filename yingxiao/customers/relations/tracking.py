"""Tracking sheets (客户追踪表, CUS-10): A- and B-intent customers need a follow-up plan, and the
supervisor (销售主任) reviews it every ``tracking_review_days``; the CUS-10 rule reminds the owner
of a missing sheet and the supervisor of an overdue review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.org.models import User
from yingxiao.policy.values import policy_value

from ..models import Customer, TrackingReview, TrackingSheet, TrackingStep
from .common import customer_for, require, text, versioned
from .errors import TRACKING_EXISTS, TRACKING_NOT_NEEDED, TRACKING_SELF_REVIEW

NEEDS_SHEET = (Customer.Intent.A, Customer.Intent.B)


def needing_sheet(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """rule: CUS-10 — A/B-intent customers in the archive without a tracking sheet."""
    return queryset.filter(intent__in=NEEDS_SHEET, is_archived=False, tracking_sheet__isnull=True)


def review_overdue(queryset: QuerySet[TrackingSheet], as_of: dt.datetime) -> QuerySet[TrackingSheet]:
    """rule: CUS-10 — sheets of A/B customers whose last review (or creation) is ``tracking_review_days`` old."""
    days = int(policy_value("tracking_review_days", at=as_of))
    return (
        queryset.filter(customer__intent__in=NEEDS_SHEET, customer__is_archived=False, created_at__lte=as_of)
        .annotate(reviewed_or_created=Coalesce("last_reviewed_at", "created_at"))
        .filter(reviewed_or_created__lte=as_of - dt.timedelta(days=days))
    )


def review_due_at(sheet: TrackingSheet, as_of: dt.datetime | None = None) -> dt.datetime:
    days = int(policy_value("tracking_review_days", at=as_of))
    return (sheet.last_reviewed_at or sheet.created_at) + dt.timedelta(days=days)


def sheet_of(actor: User, customer: Customer) -> TrackingSheet | None:
    """The customer's sheet if the actor may see it, with steps and reviews prefetched."""
    return (
        TrackingSheet.objects.restrict(actor, "view")
        .filter(customer=customer)
        .select_related("author", "last_reviewed_by")
        .prefetch_related("steps", "reviews__reviewer")
        .first()
    )


def _steps(sheet: TrackingSheet, steps: Iterable[Mapping[str, Any]]) -> list[TrackingStep]:
    result = []
    for index, row in enumerate(steps):
        planned = row.get("planned_on")
        planned = parse_date(planned) if isinstance(planned, str) else planned
        if not isinstance(planned, dt.date):
            raise ValidationError({"steps": _("Step %(n)d needs a planned date.") % {"n": index + 1}})
        action = text(row.get("action"), field="steps", max_length=300)
        result.append(TrackingStep(sheet=sheet, planned_on=planned, action=action))
    return result


def tracking_sheet_create(
    *, actor: User, customer: Customer, goal: str, steps: Iterable[Mapping[str, Any]] = ()
) -> TrackingSheet:
    """The owner writes the follow-up plan of an A/B-intent customer (CUS-10)."""
    require(actor, "customers.add_trackingsheet")
    goal = text(goal, field="goal", max_length=2000)
    with transaction.atomic():
        locked = customer_for(actor, customer, "change", lock=True)
        if locked.intent not in NEEDS_SHEET:
            raise BusinessError(TRACKING_NOT_NEEDED, field="customer")
        if TrackingSheet.objects.filter(customer=locked).exists():
            raise BusinessError(TRACKING_EXISTS)
        sheet = TrackingSheet(customer=locked, author=actor, goal=goal, created_at=timezone.now())
        rows = _steps(sheet, steps)
        versioned(sheet, actor, _("Tracking sheet written"))
        sheet.save()
        for step in rows:
            step.sheet = sheet
            versioned(step, actor, _("Step planned"))
            step.save()
    return sheet


def _sheet_for(actor: User, sheet: TrackingSheet, action: str) -> TrackingSheet:
    found = TrackingSheet.objects.restrict(actor, action).select_for_update().filter(pk=sheet.pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def tracking_step_add(*, actor: User, sheet: TrackingSheet, planned_on: Any, action: str) -> TrackingStep:
    """Add a planned step to the sheet."""
    require(actor, "customers.change_trackingsheet")
    with transaction.atomic():
        found = _sheet_for(actor, sheet, "change")
        (step,) = _steps(found, [{"planned_on": planned_on, "action": action}])
        versioned(step, actor, _("Step planned"))
        step.save()
    return step


def tracking_step_done(*, actor: User, step: TrackingStep, result: str, done_on: dt.date | None = None) -> TrackingStep:
    """Record what a planned step achieved."""
    require(actor, "customers.change_trackingsheet")
    result = text(result, field="result", max_length=500)
    with transaction.atomic():
        _sheet_for(actor, TrackingSheet(pk=step.sheet_id), "change")
        found = TrackingStep.objects.filter(pk=step.pk).first()
        if found is None:
            raise BusinessError(NOT_FOUND)
        found.done_on = done_on or timezone.localdate()
        found.result = result
        versioned(found, actor, _("Step done"))
        found.save()
    return found


def tracking_sheet_review(*, actor: User, sheet: TrackingSheet, comment: str) -> TrackingReview:
    """The supervisor reviews the sheet (CUS-10); the next review is due ``tracking_review_days`` later."""
    require(actor, "customers.review_trackingsheet")
    comment = text(comment, field="comment", max_length=1000)
    now = timezone.now()
    with transaction.atomic():
        found = _sheet_for(actor, sheet, "view")
        owner_id = Customer.objects.filter(pk=found.customer_id).values_list("owner_id", flat=True).first()
        if actor.pk in (owner_id, found.author_id):
            raise BusinessError(TRACKING_SELF_REVIEW)
        review = TrackingReview.objects.create(sheet=found, reviewer=actor, reviewed_at=now, comment=comment)
        found.last_reviewed_at, found.last_reviewed_by = now, actor
        versioned(found, actor, _("Reviewed by the supervisor"))
        found.save(update_fields=["last_reviewed_at", "last_reviewed_by"])
    return review


def sheets_needing_attention(actor: User, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """For the supervisor's page: A/B customers without a sheet and sheets overdue for review, in scope."""
    as_of = as_of or timezone.now()
    missing = needing_sheet(Customer.objects.restrict(actor, "view")).select_related("owner").order_by("pk")
    overdue = (
        review_overdue(TrackingSheet.objects.restrict(actor, "view"), as_of)
        .select_related("customer__owner", "last_reviewed_by")
        .order_by("reviewed_or_created", "pk")
    )
    return {"missing": missing, "overdue": overdue}
