"""Policy rules of grade reviews (CUS-4), tracking sheets (CUS-10) and referrals (CUS-13).

Imported by ``customers.rules`` (which the engine autodiscovers).
- CUS-4 (violation): a VIP found with problems not downgraded in time, once per evaluation.
- CUS-4r (reminder): evaluation due — the owner and the department heads, once per due date.
- CUS-10 (reminder), told apart by the breach key: ``sheet:<ISO week>`` (A/B customer without a
  sheet: the owner, weekly) and ``review:<due date>`` (sheet overdue: the owner's supervisor).
- CUS-13 (reminder): a referred customer closed without a reward — granted now, or the owner is
  asked for the deal value.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.notifications import notify
from yingxiao.org.models import Department, User
from yingxiao.org.selectors import heads_of, superior_of
from yingxiao.policy.catalog import BY_NAME
from yingxiao.policy.registry import Action, Finding, Rule, register
from yingxiao.policy.values import policy_value

from .models import Customer, GradeReview, Referral, ReferralReward, TrackingSheet
from .relations.common import customer_link
from .relations.grades import add_months, due_for_review
from .relations.referrals import referral_reward_grant
from .relations.tracking import needing_sheet, review_overdue

logger = logging.getLogger(__name__)

# The fine for a late VIP downgrade is policy; the catalog entry is requested from the policy app.
DOWNGRADE_FINE = "vip_downgrade_fine"
DASH = "—"


def _day(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else DASH


class _GradeRule(Rule):
    subject_model = "customers.Customer"
    explanation = _(
        "%(customer)s (grade %(grade)s): last evaluation %(last_review)s, next evaluation due %(review_due)s; "
        "VIP downgrade due %(downgrade_due)s, made %(downgraded)s."
    )


@register
class GradeDowngradeRule(_GradeRule):
    """rule: CUS-4 — a VIP found with problems not downgraded within ``vip_downgrade_days``: a violation."""

    id = "CUS-4"
    title = _("VIP downgrade overdue after a grade evaluation")
    action = Action.VIOLATE

    @property
    def params(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("vip_downgrade_days", DOWNGRADE_FINE) if DOWNGRADE_FINE in BY_NAME else ("vip_downgrade_days",)

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        late = GradeReview.objects.filter(downgrade_due_at__lt=as_of, reviewed_at__lte=as_of).filter(
            Q(downgraded_at__isnull=True, customer__grade=Customer.Grade.VIP)
            | Q(downgraded_at__gt=F("downgrade_due_at"))
        )
        fields = ("pk", "customer_id", "customer__name", "customer__grade", "responsible_id", "reviewer_id")
        for row in late.values(*fields, "reviewed_at", "downgrade_due_at", "downgraded_at").order_by("pk").iterator():
            yield Finding(
                subject_id=row["customer_id"],
                key=f"downgrade:{row['pk']}",
                person_id=row["responsible_id"] or row["reviewer_id"],
                facts={
                    "customer": row["customer__name"],
                    "grade": row["customer__grade"],
                    "last_review": _day(row["reviewed_at"]),
                    "review_due": DASH,
                    "downgrade_due": timezone.localtime(row["downgrade_due_at"]).strftime("%Y-%m-%d %H:%M"),
                    "downgraded": _day(row["downgraded_at"]),
                    "evaluation": row["pk"],
                },
            )

    def apply(self, finding: Finding) -> bool:
        """A violation against the responsible person, once per evaluation (compare: still late?)."""
        from yingxiao.performance.services import violation_record

        review = GradeReview.objects.filter(pk=int(finding.key.partition(":")[2])).first()
        person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
        if review is None or person is None or review.downgrade_due_at is None:
            return False
        if review.downgraded_at is not None and review.downgraded_at <= review.downgrade_due_at:
            return False
        if DOWNGRADE_FINE not in BY_NAME:
            raise RuntimeError(f"CUS-4: the policy catalog has no {DOWNGRADE_FINE!r} parameter")
        violation_record(
            actor_or_system=None,
            person=person,
            rule_id=self.id,
            evidence=finding.explanation,
            amount=Decimal(str(policy_value(DOWNGRADE_FINE, at=finding.as_of))),
            subject=review,
            breach_key=f"CUS-4:evaluation:{review.pk}",
        )
        return True


@register
class GradeReviewDueRule(_GradeRule):
    """rule: CUS-4 — graded customers are evaluated every ``grade_review_months``: owner and heads reminded."""

    id = "CUS-4r"
    title = _("Grade evaluation due")
    params = ("grade_review_months",)
    action = Action.REMIND

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        months = int(policy_value("grade_review_months", at=as_of))
        due = due_for_review(Customer.objects.all(), as_of).values(
            "pk", "name", "grade", "owner_id", "registered_at", "last_review"
        )
        for row in due.order_by("pk").iterator():
            review_due = add_months(row["last_review"] or row["registered_at"], months)
            yield Finding(
                subject_id=row["pk"],
                key=f"review:{_day(review_due)}",
                person_id=row["owner_id"],
                facts={
                    "customer": row["name"],
                    "grade": row["grade"],
                    "last_review": _day(row["last_review"]),
                    "review_due": _day(review_due),
                    "downgrade_due": DASH,
                    "downgraded": DASH,
                },
            )

    def apply(self, finding: Finding) -> bool:
        """The owner and the heads of the owning department are reminded."""
        customer = Customer.objects.filter(pk=finding.subject_id).only("pk", "owner_id", "department_id").first()
        if customer is None:
            return False
        recipients = {u.pk: u for u in User.objects.filter(pk=customer.owner_id)} if customer.owner_id else {}
        department = Department.objects.filter(pk=customer.department_id).first() if customer.department_id else None
        if department is not None:
            recipients.update({u.pk: u for u in heads_of(department)})
        for user in recipients.values():
            notify(user, message=finding.explanation, link=customer_link(customer.pk))
        return bool(recipients)


@register
class TrackingSheetRule(Rule):
    """rule: CUS-10 — A/B customers need a tracking sheet the supervisor reviews every ``tracking_review_days``."""

    id = "CUS-10"
    title = _("Tracking sheet missing or overdue for review")
    params = ("tracking_review_days",)
    action = Action.REMIND
    subject_model = "customers.Customer"
    explanation = _(
        "%(customer)s (intent %(intent)s): tracking sheet %(sheet)s, last supervisor review %(last_review)s, "
        "review due %(review_due)s."
    )

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        year, week, _weekday = timezone.localtime(as_of).isocalendar()
        missing = needing_sheet(Customer.objects.filter(registered_at__lte=as_of, owner__isnull=False))
        for row in missing.values("pk", "name", "intent", "owner_id").order_by("pk").iterator():
            yield Finding(
                subject_id=row["pk"],
                key=f"sheet:{year}-W{week:02d}",
                person_id=row["owner_id"],
                facts={
                    "customer": row["name"],
                    "intent": row["intent"],
                    "sheet": DASH,
                    "last_review": DASH,
                    "review_due": DASH,
                },
            )
        days = int(policy_value("tracking_review_days", at=as_of))
        supervisors: dict[int, int | None] = {}
        overdue = review_overdue(TrackingSheet.objects.all(), as_of).values(
            "pk",
            "customer_id",
            "customer__name",
            "customer__intent",
            "customer__owner_id",
            "last_reviewed_at",
            "reviewed_or_created",
        )
        for row in overdue.order_by("pk").iterator():
            owner_id = row["customer__owner_id"]
            if owner_id is not None and owner_id not in supervisors:  # one look-up per owner, not per sheet
                owner = User.objects.filter(pk=owner_id).first()
                boss = superior_of(owner) if owner else None
                supervisors[owner_id] = boss.pk if boss else None
            due = row["reviewed_or_created"] + dt.timedelta(days=days)
            yield Finding(
                subject_id=row["customer_id"],
                key=f"review:{_day(due)}",
                person_id=supervisors.get(owner_id) if owner_id else None,
                facts={
                    "customer": row["customer__name"],
                    "intent": row["customer__intent"],
                    "sheet": f"#{row['pk']}",
                    "last_review": _day(row["last_reviewed_at"]),
                    "review_due": _day(due),
                },
            )

    def apply(self, finding: Finding) -> bool:
        # Compare before reminding: a sheet written or reviewed since the finding is not nagged about.
        if finding.key.startswith("sheet:"):
            still = needing_sheet(Customer.objects.filter(pk=finding.subject_id)).exists()
        else:
            still = review_overdue(
                TrackingSheet.objects.filter(customer_id=finding.subject_id), timezone.now()
            ).exists()
        person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
        if not still or person is None:
            return False
        notify(person, message=finding.explanation, link=customer_link(finding.subject_id))
        return True


@register
class ReferralRewardRule(Rule):
    """rule: CUS-13 — a referred customer closed: its referrer's reward is earned, or its owner is reminded."""

    id = "CUS-13"
    title = _("Referral reward of a closed customer")
    params = ("referral_reward", "points_per_1000")
    action = Action.REMIND
    subject_model = "customers.Referral"
    explanation = _("%(referred)s, referred by %(referrer)s, has closed; reward: %(kind)s.")

    def check(self, as_of: dt.datetime) -> Iterator[Finding]:
        rewarded = ReferralReward.objects.values("referral_id")
        pending = Referral.objects.filter(referred__stage=Customer.Stage.DEAL, recorded_at__lte=as_of).exclude(
            pk__in=rewarded
        )
        fields = ("pk", "referrer__name", "referred__name", "referred__owner_id", "reward_kind")
        for row in pending.values(*fields).order_by("pk").iterator():
            yield Finding(
                subject_id=row["pk"],
                person_id=row["referred__owner_id"],
                facts={
                    "referred": row["referred__name"],
                    "referrer": row["referrer__name"],
                    "kind": row["reward_kind"],
                },
            )

    def apply(self, finding: Finding) -> bool:
        """Grant the reward (idempotent); if points still lack the deal value, remind the owner to enter it."""
        from yingxiao.core.errors import BusinessError

        referral = Referral.objects.filter(pk=finding.subject_id).first()
        if referral is None:
            return False
        try:
            referral_reward_grant(actor=None, referral=referral)
        except BusinessError as error:
            if error.code == "customers.referral_not_closed":
                return False
            person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
            if person is None:
                return False
            notify(person, message=f"{finding.explanation} {error.message}", link=customer_link(referral.referred_id))
        return True
