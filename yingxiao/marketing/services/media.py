"""Media plans (MKT-2) and roadshows (MKT-3).

- A media plan is a department's annual advertising, exhibition or web plan with a budget; its
  items are completed with their actual cost. Completion (done items / items) is measured
  against ``media_plan_target``; spend above the budget is flagged as overspent.
- A roadshow (巡展) is recorded with its date and place; it counts towards the month's
  ``roadshows_per_month`` only with at least one photo (rules.py records the shortfall).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.core.guards import require_permission
from yingxiao.org.models import User
from yingxiao.policy.values import policy_value

from .. import errors
from ..models import MediaPlan, MediaPlanItem, Roadshow, RoadshowPhoto
from .common import department_of, in_scope, media_kind, money, refuse_media, text, versioned

CENT = Decimal("0.01")

# --- MKT-2 media plans ---------------------------------------------------------------------------


# rule: MKT-2
def media_plan_create(*, actor: User, year: Any, kind: str, title: str, budget: Any) -> MediaPlan:
    """rule: MKT-2 — one plan per department, year and kind, with a budget ≥ 0."""
    require_permission(actor, "marketing.add_mediaplan")
    try:
        year_n = int(year)
    except (TypeError, ValueError) as exc:
        raise BusinessError(errors.BAD_YEAR, field="year") from exc
    if not 2000 <= year_n <= 2100:
        raise BusinessError(errors.BAD_YEAR, field="year")
    if kind not in MediaPlan.Kind.values:
        raise BusinessError(errors.BAD_KIND, field="kind")
    title = text(title, field="title", max_length=200)
    amount = money(budget, field="budget")
    department = department_of(actor)
    plan = MediaPlan(year=year_n, kind=kind, title=title, budget=amount, owner=actor, department=department)
    versioned(plan, actor, _("Media plan created"))
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise BusinessError(errors.PLAN_EXISTS, kind=MediaPlan.Kind(kind).label, year=year_n) from exc
    return plan


def media_plan_update(*, actor: User, plan: MediaPlan | int, title: Any = None, budget: Any = None) -> MediaPlan:
    """The title and budget of a plan can be revised; every revision is versioned."""
    require_permission(actor, "marketing.change_mediaplan")
    with transaction.atomic():
        found = in_scope(MediaPlan, actor, plan, "change", lock=True)
        if title is not None:
            found.title = text(title, field="title", max_length=200)
        if budget is not None:
            found.budget = money(budget, field="budget")  # type: ignore[assignment]
        versioned(found, actor, _("Media plan revised"))
        found.save()
    return found


def media_item_add(
    *, actor: User, plan: MediaPlan | int, name: str, planned_on: dt.date, planned_cost: Any, note: str = ""
) -> MediaPlanItem:
    """An item of the plan, dated within the plan's year."""
    require_permission(actor, "marketing.change_mediaplan")
    name = text(name, field="name", max_length=200)
    note = text(note, field="note", max_length=500, required=False)
    cost = money(planned_cost, field="planned_cost")
    with transaction.atomic():
        found = in_scope(MediaPlan, actor, plan, "change", lock=True)
        if not isinstance(planned_on, dt.date) or planned_on.year != found.year:
            raise BusinessError(errors.ITEM_OUTSIDE_YEAR, field="planned_on", year=found.year)
        item = MediaPlanItem(plan=found, name=name, planned_on=planned_on, planned_cost=cost, note=note)
        versioned(item, actor, _("Item planned"))
        item.save()
    return item


def media_item_complete(
    *, actor: User, item: MediaPlanItem | int, actual_cost: Any, completed_on: dt.date | None = None
) -> MediaPlanItem:
    """rule: MKT-2 — an item is completed with its actual cost; the plan's spend grows by it."""
    require_permission(actor, "marketing.change_mediaplan")
    cost = money(actual_cost, field="actual_cost")
    day = completed_on or timezone.localdate()
    pk = item if isinstance(item, int) else item.pk
    with transaction.atomic():
        plan_id = MediaPlanItem.objects.filter(pk=pk).values_list("plan_id", flat=True).first()
        if plan_id is None:
            raise BusinessError(NOT_FOUND)
        in_scope(MediaPlan, actor, plan_id, "change", lock=True)
        found = MediaPlanItem.objects.get(pk=pk)
        if found.completed_on is not None:
            raise BusinessError(errors.ITEM_DONE)
        found.actual_cost, found.completed_on = cost, day
        versioned(found, actor, _("Item completed"))
        found.save(update_fields=["actual_cost", "completed_on"])
    return found


# rule: MKT-2 — completion vs media_plan_target, spend vs budget (overspend flagged).
@dataclass(frozen=True)
class PlanProgress:
    """rule: MKT-2 — completion against the target, spend against the budget."""

    items: int
    done: int
    planned_cost: Decimal
    spend: Decimal
    budget: Decimal
    target: Decimal  # percent

    @property
    def completion(self) -> Decimal:
        if not self.items:
            return Decimal("0.0")
        return (Decimal(self.done) * 100 / Decimal(self.items)).quantize(Decimal("0.1"))

    @property
    def on_target(self) -> bool:
        return self.completion >= self.target

    @property
    def overspent(self) -> bool:
        return self.spend > self.budget

    @property
    def overspend(self) -> Decimal:
        return max(self.spend - self.budget, Decimal("0.00"))

    @property
    def over_planned(self) -> bool:
        """The items planned cost more than the budget: flagged before a yuan is spent."""
        return self.planned_cost > self.budget


def with_progress(plans: QuerySet[MediaPlan]) -> QuerySet[MediaPlan]:
    """Plans annotated with their item counts and sums: one query for a whole list."""
    return plans.annotate(
        item_count=Count("items"),
        done_count=Count("items", filter=Q(items__completed_on__isnull=False)),
        planned_total=Sum("items__planned_cost"),
        spend_total=Sum("items__actual_cost"),
    )


def plan_progress(plan: MediaPlan) -> PlanProgress:
    """Progress of an annotated plan (``with_progress``) or, failing that, of a fresh aggregate."""
    if not hasattr(plan, "item_count"):
        plan = with_progress(MediaPlan.objects.filter(pk=plan.pk)).get()
    return PlanProgress(
        items=plan.item_count,  # type: ignore[attr-defined]
        done=plan.done_count,  # type: ignore[attr-defined]
        # SQLite sums lose the scale: always two places, as on PostgreSQL.
        planned_cost=Decimal(plan.planned_total or 0).quantize(CENT),  # type: ignore[attr-defined]
        spend=Decimal(plan.spend_total or 0).quantize(CENT),  # type: ignore[attr-defined]
        budget=plan.budget,
        target=Decimal(str(policy_value("media_plan_target"))),
    )


# --- MKT-3 roadshows ------------------------------------------------------------------------------


def roadshow_record(
    *, actor: User, held_on: dt.date, place: str, note: str = "", photos: list[UploadedFile] | None = None
) -> Roadshow:
    """rule: MKT-3 — a roadshow of the actor's department; it counts once it has a photo."""
    require_permission(actor, "marketing.add_roadshow")
    place = text(place, field="place", max_length=200)
    note = text(note, field="note", max_length=500, required=False)
    if not isinstance(held_on, dt.date):
        raise BusinessError(errors.TEXT_REQUIRED, field="held_on")
    if held_on > timezone.localdate():
        raise BusinessError(errors.FUTURE_DATE, field="held_on")
    for photo in photos or []:
        if media_kind(photo.name or "") != "photo":
            raise refuse_media(photo.name or "")
    department = department_of(actor)
    with transaction.atomic():
        roadshow = Roadshow(department=department, organiser=actor, held_on=held_on, place=place, note=note)
        versioned(roadshow, actor, _("Roadshow recorded"))
        roadshow.save()
        for photo in photos or []:
            RoadshowPhoto.objects.create(roadshow=roadshow, file=photo, uploaded_by=actor)
    return roadshow


def roadshow_add_photo(*, actor: User, roadshow: Roadshow | int, photo: UploadedFile | None) -> RoadshowPhoto:
    """rule: MKT-3 — photos are what make a roadshow count (拍摄现场照片交市场部保存)."""
    require_permission(actor, "marketing.change_roadshow")
    if photo is None:
        raise BusinessError(errors.MEDIA_REQUIRED, field="file")
    if media_kind(photo.name or "") != "photo":
        raise refuse_media(photo.name or "")
    with transaction.atomic():
        found = in_scope(Roadshow, actor, roadshow, "change", lock=True)
        if found.voided:
            raise BusinessError(errors.ROADSHOW_VOIDED)
        return RoadshowPhoto.objects.create(roadshow=found, file=photo, uploaded_by=actor)


def roadshow_void(*, actor: User, roadshow: Roadshow | int, reason: str) -> Roadshow:
    """A roadshow recorded by mistake is voided (it no longer counts), never deleted."""
    require_permission(actor, "marketing.change_roadshow")
    reason = text(reason, field="reason", max_length=500)
    with transaction.atomic():
        found = in_scope(Roadshow, actor, roadshow, "change", lock=True)
        if found.voided:
            raise BusinessError(errors.ROADSHOW_VOIDED)
        found.voided = True
        versioned(found, actor, reason)
        found.save(update_fields=["voided"])
    return found


# rule: MKT-3 — only roadshows with photos, not voided, count.
def counted_roadshows(month: dt.date) -> QuerySet[Roadshow]:
    """rule: MKT-3 — roadshows of the month that count: not voided, with at least one photo."""
    start = month.replace(day=1)
    end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Roadshow.objects.filter(held_on__gte=start, held_on__lt=end, voided=False, photos__isnull=False).distinct()
