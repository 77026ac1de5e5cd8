"""Grade reviews (客户评级, CUS-4): periodic evaluation, and the VIP downgrade deadline.

A customer graded VIP / 优选 / 合格 is evaluated every ``grade_review_months``. A VIP found with
problems (poor contract execution, late payment, business crisis) must be downgraded within
``vip_downgrade_days`` of the evaluation; the CUS-4 rule records a violation when it is late.
A major loss or damage to reputation is reported for the blacklist (CUS-3).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import INVALID_INPUT, BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.org.selectors import heads_of
from yingxiao.policy.values import policy_value

from ..models import Customer, GradeReview
from .common import customer_for, customer_link, lazy_format, require, text, versioned
from .errors import NOT_DOWNGRADE, VIP_WITH_PROBLEMS

PROBLEMS = ("poor_execution", "late_payment", "business_crisis")
LOWER_THAN_VIP = (Customer.Grade.PREFERRED, Customer.Grade.QUALIFIED)


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` shifted by whole calendar months (negative: back), the day clamped to the month's end."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def due_for_review(queryset: QuerySet[Customer], as_of: dt.datetime) -> QuerySet[Customer]:
    """Graded customers whose last evaluation (or registration, if never evaluated) is a review period old.

    rule: CUS-4 — every ``grade_review_months``; set-based, annotated with ``last_review``.
    """
    cutoff = add_months(as_of, -int(policy_value("grade_review_months", at=as_of)))
    return (
        queryset.exclude(grade=Customer.Grade.UNGRADED)
        .filter(is_archived=False, registered_at__lte=as_of)
        .annotate(last_review=Max("grade_reviews__reviewed_at", filter=Q(grade_reviews__reviewed_at__lte=as_of)))
        .filter(Q(last_review__lte=cutoff) | Q(last_review__isnull=True, registered_at__lte=cutoff))
    )


def customers_due_for_review(actor: User, as_of: dt.datetime | None = None) -> QuerySet[Customer]:
    """The actor's customers due for a grade review (ORG-5 scope)."""
    as_of = as_of or timezone.now()
    return due_for_review(Customer.objects.restrict(actor, "view"), as_of).select_related("owner").order_by("pk")


def reviews_of(actor: User, customer: Customer) -> list[GradeReview]:
    """The customer's evaluations the actor may see, newest first."""
    return list(GradeReview.objects.restrict(actor, "view").filter(customer=customer).select_related("reviewer"))


def _set_grade(actor: User, customer: Customer, grade: str, reason: str) -> None:
    from ..services import customer_update  # the archive's edit path: scope, history, CUS-5 hook

    customer_update(actor=actor, customer=customer, data={"grade": grade}, reason=reason)


def grade_review_record(
    *,
    actor: User,
    customer: Customer,
    result_grade: str,
    problems: Iterable[str] = (),
    major_loss: bool = False,
    notes: str = "",
    apply_grade: bool = True,
) -> GradeReview:
    """Record an evaluation of ``customer``; with ``apply_grade`` the result grade takes effect now.

    rule: CUS-4 — a VIP with problems cannot stay VIP; unless downgraded now, the downgrade is
    due within ``vip_downgrade_days`` and the owner is reminded of the deadline.
    """
    require(actor, "customers.add_gradereview")
    if result_grade not in Customer.Grade.values:
        raise BusinessError(INVALID_INPUT, field="result_grade")
    flags = set(problems)
    if flags - set(PROBLEMS):
        raise BusinessError(INVALID_INPUT, field="problems")
    notes = text(notes, field="notes", max_length=2000, required=False)
    now = timezone.now()
    with transaction.atomic():
        locked = customer_for(actor, customer, "change", lock=True)
        review = GradeReview(
            customer=locked,
            reviewer=actor,
            responsible=locked.owner or actor,
            reviewed_at=now,
            grade_before=locked.grade,
            result_grade=result_grade,
            major_loss=bool(major_loss),
            notes=notes,
            **{name: name in flags for name in PROBLEMS},
        )
        vip_in_trouble = review.has_problems and locked.grade == Customer.Grade.VIP
        if vip_in_trouble and result_grade not in LOWER_THAN_VIP:
            raise BusinessError(VIP_WITH_PROBLEMS, field="result_grade")
        if vip_in_trouble:
            review.downgrade_due_at = now + dt.timedelta(days=int(policy_value("vip_downgrade_days", at=now)))
        versioned(review, actor, _("Grade evaluated"))
        review.save()
        if apply_grade and result_grade != locked.grade:
            _set_grade(actor, locked, result_grade, str(_("Grade evaluation #%(id)s") % {"id": review.pk}))
            mark_downgraded(locked.pk, now)
            review.refresh_from_db()
        transaction.on_commit(lambda: _notify_review(actor, review))
    return review


def grade_downgrade(*, actor: User, review: GradeReview, grade: str) -> GradeReview:
    """Carry out the downgrade an evaluation found necessary (CUS-4), before its deadline."""
    require(actor, "customers.change_customer")
    if grade not in LOWER_THAN_VIP:
        raise BusinessError(VIP_WITH_PROBLEMS, field="grade")
    now = timezone.now()
    with transaction.atomic():
        locked = customer_for(actor, review.customer_id, "change", lock=True)
        pending = GradeReview.objects.filter(
            pk=review.pk, customer=locked, downgrade_due_at__isnull=False, downgraded_at__isnull=True
        ).exists()
        if not pending:
            raise BusinessError(NOT_DOWNGRADE)
        if locked.grade == Customer.Grade.VIP:
            _set_grade(actor, locked, grade, str(_("Downgrade after grade evaluation #%(id)s") % {"id": review.pk}))
        mark_downgraded(locked.pk, now)
    review.refresh_from_db()
    return review


def mark_downgraded(customer_id: int, when: dt.datetime) -> int:
    """The customer left VIP: every pending downgrade of its evaluations is done (compare-and-set)."""
    return GradeReview.objects.filter(
        customer_id=customer_id, downgrade_due_at__isnull=False, downgraded_at__isnull=True
    ).update(downgraded_at=when)


def _notify_review(actor: User, review: GradeReview) -> None:
    customer = review.customer
    link = customer_link(customer.pk)
    if review.downgrade_due_at and review.downgraded_at is None:
        due = timezone.localtime(review.downgrade_due_at).strftime("%Y-%m-%d %H:%M")
        message = _("VIP %(customer)s was found with problems: downgrade it by %(due)s (CUS-4).")
        notify(
            review.responsible, message=lazy_format(message, customer=customer.name, due=due), link=link, actor=actor
        )
    if review.major_loss and customer.department is not None:
        # rule: CUS-4 → CUS-3 — a major loss is reported to management, who may blacklist the customer.
        message = _("%(customer)s caused a major loss: consider a blacklist request (CUS-3).")
        for head in heads_of(customer.department):
            notify(head, message=lazy_format(message, customer=customer.name), link=link, actor=actor)
