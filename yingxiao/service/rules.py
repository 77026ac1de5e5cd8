"""Policy rules of complaints and after-sales, run by the policy engine (house style 3).

SLA clocks (CMP-2 responsibility and plan, CMP-5 closing), each as three companion rules:

- ``CMP-2r`` / ``CMP-5r`` remind the head of the responsible department (or, when away, the
  delegate or superior) ``{complaint_sla_lead_hours}`` working hours before the deadline;
- ``CMP-2e`` / ``CMP-5e`` escalate a breached deadline to the head's direct superior (ORG-4);
- ``CMP-2`` / ``CMP-5`` record a violation against the head, at the bottom of the
  ``{service_complaint_fine}`` range (a slow complaint is a service lapse), approved per DIS-1.

After-sales (CMP-8): ``CMP-8r`` reminds before the monthly report is due, ``CMP-8`` records a
violation for a report not submitted in time. Analysis (CMP-9): a cause with at least
``{complaint_repeat_count}`` complaints in the last month is flagged to the departments concerned.

Breach keys carry the deadline (or the month, the cause), so a sweep repeated or run twice records
each breach once, and a rescheduled deadline is a new breach. On PostgreSQL the clock rules' checks
are one SELECT (``check_sql``) and CMP-2/CMP-5 violations are applied by SQL (``violation_sql``):
the same findings and ledger as the Python path (``sla``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, ClassVar

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.calendar import BusinessCalendar
from yingxiao.core.notifications import notify
from yingxiao.org.models import Department, User
from yingxiao.policy.registry import Action, ApplySQL, Finding, Rule, register
from yingxiao.policy.values import policy_value

from . import sla
from .models import AfterSalesReport, Complaint, ComplaintEvent
from .periods import month_of, previous_month, report_due

CHUNK = 2000
Answer = tuple[User | None, dict[str, str]]  # who answers for a department, and facts about its head
OPEN = Complaint.OPEN_STATUSES
ASSIGN_OPEN = (Complaint.Status.RECEIVED,)


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class _People:
    """Per-sweep cache of who answers for a department (one lookup per department, not per row)."""

    def __init__(self, pick: Any) -> None:
        self.pick = pick
        self.cache: dict[int, User | None] = {}

    def __call__(self, department_id: int) -> User | None:
        if department_id not in self.cache:
            self.cache[department_id] = self.pick(Department.objects.filter(pk=department_id).first())
        return self.cache[department_id]


def _departments(complaints: QuerySet[Complaint]) -> list[int]:
    return list(complaints.order_by().values_list("responsible_department_id", flat=True).distinct())


class _ComplaintClock(Rule):
    """One SLA clock of complaints: which statuses it watches and which deadline column.

    A subclass says which deadlines it looks at (``_deadline``) and who answers for the departments
    concerned (``_who``, for all of them at once); ``check`` streams the rows, ``check_sql``
    (PostgreSQL) is the same findings as ONE SELECT (``sla.clock_check_sql``)."""

    subject_model = "service.Complaint"
    due_field: ClassVar[str]
    statuses: ClassVar[tuple[str, ...]]
    stage: ClassVar[str]
    stage_label: ClassVar[Any]

    def _deadline(self, as_of: dt.datetime) -> dict[str, Any]:
        """The lookups on the deadline column (``lt``, ``gte``…) selecting the complaints concerned."""
        raise NotImplementedError

    def _who(self, department_ids: list[int]) -> dict[int, Answer]:
        """department id → (the person concerned, facts about the department's head)."""
        raise NotImplementedError

    def _answer(self, complaints: QuerySet[Complaint]) -> Callable[[int], Answer]:
        """Who answers for the departments of ``complaints``, read once per sweep (a department
        that turns up later, moved there meanwhile, is looked up on its own)."""
        known = self._who(_departments(complaints))

        def answer(department_id: int) -> Answer:
            if department_id not in known:
                known.update(self._who([department_id]))
            return known[department_id]

        return answer

    def _complaints(self, as_of: dt.datetime) -> QuerySet[Complaint]:
        deadline = self._deadline(as_of)
        return Complaint.objects.filter(
            status__in=self.statuses, **{f"{self.due_field}__{k}": v for k, v in deadline.items()}
        )

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        complaints = self._complaints(as_of)
        who = self._answer(complaints)
        stage = str(self.stage_label)
        rows = complaints.order_by("pk").values("pk", "responsible_department_id", "customer__name", self.due_field)
        for row in rows.iterator(chunk_size=CHUNK):
            person, facts = who(row["responsible_department_id"])
            yield self._finding(row, person, stage=stage, **facts)

    def check_sql(self, as_of: dt.datetime) -> tuple[str, list[Any]]:
        """``check`` as one SELECT: the same rows, keys and facts (the engine records them in the database)."""
        complaints = self._complaints(as_of)
        return sla.clock_check_sql(
            complaints, due_field=self.due_field, stage=self.stage, stage_label=str(self.stage_label),
            answers=self._who(_departments(complaints)),
        )  # fmt: skip

    def _finding(self, row: dict[str, Any], person: User | None, **facts: Any) -> Finding:
        due = row[self.due_field]
        return Finding(
            subject_id=row["pk"],
            key=f"{self.stage}:{due.isoformat()}",
            person_id=person.pk if person else None,
            facts={"complaint": row["pk"], "customer": row["customer__name"], "due": _local(due), **facts},
        )

    def _still_open(self, findings: list[Finding]) -> set[int]:
        """Compare-and-set input: complaints still in a watched status with the same deadline."""
        due_of = {f.subject_id: f.key.partition(":")[2] for f in findings}
        rows = Complaint.objects.filter(pk__in=list(due_of), status__in=self.statuses).values_list("pk", self.due_field)
        return {pk for pk, due in rows if due.isoformat() == due_of[pk]}

    def _notify(self, findings: list[Finding], kind: str) -> list[bool]:
        live = self._still_open(findings)
        people = User.objects.in_bulk({f.person_id for f in findings if f.person_id})
        done = []
        for finding in findings:
            person = people.get(finding.person_id) if finding.person_id else None
            if finding.subject_id not in live or person is None:
                done.append(False)
                continue
            link = reverse("service:detail", args=[finding.subject_id])
            done.append(notify(person, message=finding.explanation, link=link) is not None)
            ComplaintEvent.objects.create(complaint_id=finding.subject_id, kind=kind, message=finding.explanation)
        return done

    def apply(self, finding: Finding) -> bool:
        return self.apply_batch([finding])[0]


class _Reminder(_ComplaintClock):
    action = Action.REMIND
    explanation = _("Complaint #%(complaint)s from %(customer)s: the %(stage)s is due at %(due)s.")

    def _deadline(self, as_of: dt.datetime) -> dict[str, Any]:
        return {"gte": as_of, "lte": sla.reminder_horizon(as_of, BusinessCalendar.load())}

    def _who(self, department_ids: list[int]) -> dict[int, Answer]:
        return {pk: (person, {}) for pk, person in sla.acting_heads(department_ids).items()}

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        return self._notify(findings, ComplaintEvent.Kind.REMINDER)


class _Escalation(_ComplaintClock):
    action = Action.ESCALATE
    explanation = _(
        "Complaint #%(complaint)s from %(customer)s: the %(stage)s was due at %(due)s and is overdue; "
        "escalated to you as the superior of %(head)s."
    )

    def _deadline(self, as_of: dt.datetime) -> dict[str, Any]:
        return {"lt": as_of}  # breached: the deadline has passed

    def _who(self, department_ids: list[int]) -> dict[int, Answer]:
        heads = sla.responsible_heads(department_ids)
        superiors = {head.pk: sla.superior_of(head) for head in heads.values() if head is not None}
        return {
            pk: (superiors[head.pk] if head is not None else None, {"head": str(head or "—")})
            for pk, head in heads.items()
        }

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        return self._notify(findings, ComplaintEvent.Kind.ESCALATION)


class _Violation(_ComplaintClock):
    action = Action.VIOLATE
    batch_size = 2000  # set-based apply (``apply_batch``): a few statements per chunk whatever its size
    params = ("service_complaint_fine",)
    explanation = _("Complaint #%(complaint)s from %(customer)s: the %(stage)s was due at %(due)s and was missed.")

    def _deadline(self, as_of: dt.datetime) -> dict[str, Any]:
        return {"lt": as_of}  # breached: the deadline has passed

    def _who(self, department_ids: list[int]) -> dict[int, Answer]:
        return {pk: (head, {}) for pk, head in sla.responsible_heads(department_ids).items()}

    def violation_sql(self, as_of: dt.datetime) -> ApplySQL:
        """``apply_batch`` as SQL (PostgreSQL: the engine writes the ledger set-based), the fine as of ``as_of``."""
        low, _high = policy_value("service_complaint_fine", at=as_of)
        return sla.violation_apply_sql(
            rule_id=self.id, due_field=self.due_field, statuses=self.statuses, stage=self.stage, fine=Decimal(str(low))
        )

    def apply_batch(self, findings: list[Finding]) -> list[bool]:
        """Per chunk, set-based: one compare-and-set read, one read of the heads and of the
        complaints, the fine once per as-of time, the violations through the ledger in bulk
        (``violation_record_many``: the supervisor's double share and the approvals with them),
        the complaints' events in one insert."""
        from yingxiao.performance.services import Breach, violation_record_many

        live = self._still_open(findings)
        people = User.objects.in_bulk({f.person_id for f in findings if f.person_id})
        complaints = Complaint.objects.in_bulk({f.subject_id for f in findings if f.subject_id in live})
        fines: dict[Any, Decimal] = {}
        breaches: list[Breach] = []
        events: list[ComplaintEvent] = []
        done = []
        for finding in findings:
            person = people.get(finding.person_id) if finding.person_id else None
            complaint = complaints.get(finding.subject_id)
            if person is None or complaint is None:
                done.append(False)
                continue
            if finding.as_of not in fines:
                low, _high = policy_value("service_complaint_fine", at=finding.as_of)
                fines[finding.as_of] = Decimal(str(low))
            breaches.append(
                Breach(
                    person=person,
                    evidence=finding.explanation,
                    amount=fines[finding.as_of],
                    subject=complaint,
                    breach_key=f"{self.id}:complaint:{finding.breach_key}",
                )
            )
            events.append(
                ComplaintEvent(
                    complaint_id=finding.subject_id, kind=ComplaintEvent.Kind.VIOLATION, message=finding.explanation
                )
            )
            done.append(True)
        if breaches:
            violation_record_many(actor_or_system=None, rule_id=self.id, breaches=breaches)
            ComplaintEvent.objects.bulk_create(events, batch_size=CHUNK)
        return done


class _AssignClock:
    due_field = "assign_due_at"
    statuses = ASSIGN_OPEN
    stage = "assign"
    stage_label = _("responsibility and plan (CMP-2)")


class _CloseClock:
    due_field = "close_due_at"
    statuses = OPEN
    stage = "close"
    stage_label = _("closing (CMP-5)")


@register
class AssignReminder(_AssignClock, _Reminder):
    """rule: CMP-2 — remind the responsible head before responsibility and plan are due."""

    id = "CMP-2r"
    title = _("Complaint responsibility due soon")
    params = ("complaint_assign_days", "complaint_sla_lead_hours")


@register
class AssignEscalation(_AssignClock, _Escalation):
    """rule: CMP-2, ORG-4 — an overdue responsibility goes to the head's superior."""

    id = "CMP-2e"
    title = _("Complaint responsibility overdue: escalation")
    params = ("complaint_assign_days",)


@register
class AssignViolation(_AssignClock, _Violation):
    """rule: CMP-2 — an overdue responsibility is a violation of the responsible head."""

    id = "CMP-2"
    title = _("Complaint responsibility not defined in time")
    params = ("complaint_assign_days", "service_complaint_fine")


@register
class CloseReminder(_CloseClock, _Reminder):
    """rule: CMP-5 — remind the responsible head before the complaint must be closed."""

    id = "CMP-5r"
    title = _("Complaint closing due soon")
    params = ("complaint_close_days", "complaint_sla_lead_hours")


@register
class CloseEscalation(_CloseClock, _Escalation):
    """rule: CMP-5, ORG-4 — an overdue complaint goes to the head's superior."""

    id = "CMP-5e"
    title = _("Complaint not closed in time: escalation")
    params = ("complaint_close_days",)


@register
class CloseViolation(_CloseClock, _Violation):
    """rule: CMP-5 — a complaint not closed in time is a violation of the responsible head."""

    id = "CMP-5"
    title = _("Complaint not closed in time")
    params = ("complaint_close_days", "service_complaint_fine")


# --- CMP-8 monthly after-sales report -------------------------------------------------------
def report_departments() -> list[Department]:
    """Departments that owe the report: those with an after-sales / customer-service post."""
    return list(
        Department.objects.filter(is_active=True, positions__is_active=True, positions__role__code="aftersales")
        .distinct()
        .order_by("path")
    )


def _unsubmitted(months: list[dt.date]) -> Iterator[tuple[Department, dt.date]]:
    submitted = set(
        AfterSalesReport.objects.filter(month__in=months, submitted_at__isnull=False).values_list(
            "department_id", "month"
        )
    )
    for department in report_departments():
        for month in months:
            if (department.pk, month) not in submitted:
                yield department, month


class _ReportRule(Rule):
    subject_model = "org.Department"

    def _submitted(self, finding: Finding) -> bool:
        return AfterSalesReport.objects.filter(
            department_id=finding.subject_id, month=finding.key, submitted_at__isnull=False
        ).exists()


@register
class AfterSalesReportReminder(_ReportRule):
    """rule: CMP-8 — remind the department head before the monthly after-sales report is due."""

    id = "CMP-8r"
    title = _("Monthly after-sales report due soon")
    params = ("aftersales_report_day", "aftersales_report_lead_days")
    action = Action.REMIND
    explanation = _("The after-sales report of %(department)s for %(month)s is due before %(due)s.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = timezone.localdate(as_of)
        month = month_of(today).start
        due = report_due(month, int(policy_value("aftersales_report_day", at=as_of)))
        if not (due - dt.timedelta(days=int(policy_value("aftersales_report_lead_days", at=as_of))) <= today < due):
            return
        for department, _month in _unsubmitted([month]):
            head = sla.acting_head(department)
            yield Finding(
                subject_id=department.pk,
                key=month.isoformat(),
                person_id=head.pk if head else None,
                facts={"department": department.name, "month": f"{month:%Y-%m}", "due": due.isoformat()},
            )

    def apply(self, finding: Finding) -> bool:
        person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
        if person is None or self._submitted(finding):
            return False
        return notify(person, message=finding.explanation, link=reverse("service:reports")) is not None


@register
class AfterSalesReportLate(_ReportRule):
    """rule: CMP-8 — a monthly after-sales report not submitted before the day is a violation of the head."""

    id = "CMP-8"
    title = _("Monthly after-sales report late")
    params = ("aftersales_report_day", "aftersales_late_fine")
    action = Action.VIOLATE
    explanation = _("The after-sales report of %(department)s for %(month)s was due before %(due)s and is missing.")

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        today = timezone.localdate(as_of)
        day = int(policy_value("aftersales_report_day", at=as_of))
        this_month = month_of(today).start
        # The previous month counts only when its due day fell into this month (day 29 in February).
        months = [m for m in (previous_month(today).start, this_month) if this_month <= report_due(m, day) <= today]
        for department, month in _unsubmitted(months):
            head = sla.responsible_head(department)
            yield Finding(
                subject_id=department.pk,
                key=month.isoformat(),
                person_id=head.pk if head else None,
                facts={
                    "department": department.name,
                    "month": f"{month:%Y-%m}",
                    "due": report_due(month, day).isoformat(),
                },
            )

    def apply(self, finding: Finding) -> bool:
        from yingxiao.performance.services import violation_record

        person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
        if person is None or self._submitted(finding):
            return False
        violation_record(
            actor_or_system=None,
            person=person,
            rule_id="CMP-8",
            evidence=finding.explanation,
            amount=policy_value("aftersales_late_fine", at=finding.as_of),
            subject=Department.objects.get(pk=finding.subject_id),
            breach_key=f"CMP-8:report:{finding.breach_key}",
        )
        return True


# --- CMP-9 recurring causes ------------------------------------------------------------------
@register
class RepeatCauses(Rule):
    """rule: CMP-9 — a cause with ``complaint_repeat_count`` complaints last month goes to the departments concerned."""

    id = "CMP-9"
    title = _("Recurring complaint causes")
    params = ("complaint_repeat_count",)
    action = Action.REMIND
    subject_model = "org.Department"
    explanation = _(
        "Recurring complaint cause in %(period)s: %(cause)s — %(count)s complaints (%(mine)s for your department)."
    )

    def check(self, as_of: dt.datetime) -> Iterable[Finding]:
        period = previous_month(timezone.localdate(as_of))
        start, end = period.bounds()
        threshold = int(policy_value("complaint_repeat_count", at=as_of))
        rows = (
            Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
            .exclude(cause="")
            .values("cause", "responsible_department_id")
            .annotate(n=Count("pk"))
            .order_by("cause", "responsible_department_id")
        )
        by_cause: dict[str, dict[int, int]] = {}
        for row in rows:
            by_cause.setdefault(row["cause"], {})[row["responsible_department_id"]] = row["n"]
        heads = _People(sla.acting_head)
        for cause, departments in by_cause.items():
            total = sum(departments.values())
            if total < threshold:
                continue
            for department_id, mine in departments.items():
                head = heads(department_id)
                yield Finding(
                    subject_id=department_id,
                    key=f"{period.label}:{cause}",
                    person_id=head.pk if head else None,
                    facts={
                        "period": period.label,
                        "cause": str(Complaint.Cause(cause).label),
                        "cause_code": cause,
                        "count": total,
                        "mine": mine,
                    },
                )

    def apply(self, finding: Finding) -> bool:
        person = User.objects.filter(pk=finding.person_id).first() if finding.person_id else None
        link = reverse("service:analysis") + f"?period={finding.facts.get('period', '')}"
        return notify(person, message=finding.explanation, link=link) is not None
