"""After-sales service (CMP-8): service records and the monthly report to the sales director."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import BusinessError
from yingxiao.core.notifications import notify
from yingxiao.customers.models import Customer
from yingxiao.org.models import Assignment, Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department

from . import errors
from .models import AfterSalesRecord, AfterSalesReport, Complaint
from .periods import month_of
from .services import _text, intake_customer

DIRECTOR_ROLE = "sales_director"


def aftersales_record(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    description: str,
    served_on: dt.date | None = None,
    product: str = "",
    result: str = "",
    complaint: Complaint | None = None,
) -> AfterSalesRecord:
    """rule: CMP-8 — record an installation, a maintenance job or an on-site visit."""
    if not actor.has_perm("service.add_aftersalesrecord"):
        raise BusinessError(errors.NO_PERMISSION)
    if kind not in AfterSalesRecord.Kind.values:
        raise BusinessError(errors.BAD_VALUE, field="kind", field_name="kind")
    served_on = served_on or timezone.localdate()
    if served_on > timezone.localdate():
        raise BusinessError(errors.BAD_VALUE, field="served_on", field_name="served_on")
    return AfterSalesRecord.objects.create(
        customer=customer,
        kind=kind,
        served_on=served_on,
        staff=actor,
        department=primary_department(actor),
        product=_text(product, "product", required=False, limit=120),
        description=_text(description, "description"),
        result=_text(result, "result", required=False, limit=500),
        complaint=complaint,
    )


def record_customer(actor: User, customer_id: Any) -> Customer:
    return intake_customer(actor, customer_id)


def report_summary(department: Department, month: dt.date) -> dict[str, Any]:
    """The report's figures, generated from the records and complaints of the month (JSON-able)."""
    period = month_of(month)
    start, end = period.bounds()
    records = AfterSalesRecord.objects.filter(
        department=department, served_on__gte=period.start, served_on__lt=period.end
    )
    by_kind = dict(records.values_list("kind").annotate(n=Count("pk")).order_by())
    complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    return {
        "records": records.count(),
        "by_kind": {kind: by_kind.get(kind, 0) for kind in AfterSalesRecord.Kind.values},
        "customers": records.values("customer").distinct().count(),
        "complaints_received": complaints.count(),
        "complaints_closed": complaints.filter(status=Complaint.Status.CLOSED).count(),
        "complaints_open": complaints.exclude(status=Complaint.Status.CLOSED).count(),
    }


def _may_report(actor: User, department: Department) -> None:
    if not actor.has_perm("service.add_aftersalesreport"):
        raise BusinessError(errors.NO_PERMISSION)
    scope = scope_for(actor)
    mine = primary_department(actor)
    if not (scope.is_all or department.pk in scope.department_ids or (mine is not None and mine.pk == department.pk)):
        raise BusinessError(errors.NO_PERMISSION)


def aftersales_report_generate(
    *, actor: User, department: Department, month: dt.date, notes: str = ""
) -> AfterSalesReport:
    """rule: CMP-8 — (re)generate the month's report from the records; a submitted report is final."""
    _may_report(actor, department)
    month = month.replace(day=1)
    with transaction.atomic():
        report, _created = AfterSalesReport.objects.select_for_update().get_or_create(
            department=department, month=month
        )
        if report.submitted_at is not None:
            raise BusinessError(errors.REPORT_SUBMITTED)
        report.summary = report_summary(department, month)
        report.notes = _text(notes, "notes", required=False)
        report.generated_at = timezone.now()
        report.save(update_fields=["summary", "notes", "generated_at"])
    return report


def _directors() -> list[User]:
    return [
        a.user
        for a in Assignment.objects.filter(
            ended_on__isnull=True, position__is_active=True, position__role__code=DIRECTOR_ROLE, user__is_active=True
        ).select_related("user")
    ]


def aftersales_report_submit(*, actor: User, report: AfterSalesReport) -> AfterSalesReport:
    """rule: CMP-8 — send the report to the sales director (figures regenerated at submission)."""
    _may_report(actor, report.department)
    with transaction.atomic():
        now = timezone.now()
        updated = AfterSalesReport.objects.filter(pk=report.pk, submitted_at__isnull=True).update(
            submitted_at=now,
            submitted_by=actor,
            summary=report_summary(report.department, report.month),
            generated_at=now,
        )
        if updated != 1:
            raise BusinessError(errors.REPORT_SUBMITTED)
        report.refresh_from_db()
        message = _("The monthly after-sales report has been submitted.")
        link = reverse("service:reports")
        for director in _directors():
            transaction.on_commit(lambda d=director: notify(d, message=message, link=link, actor=actor))
    return report
