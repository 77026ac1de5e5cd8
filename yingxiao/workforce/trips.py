"""Outings (外出登记, HR-3) and business trips with their morning check-ins (出差, HR-4).

Both are approved by the superior (request types ``outing`` and ``business_trip``). A traveller
on an approved trip checks in once a day (time, place, note, optional photo); the rules in
``rules.py`` remind a missed check-in the same morning and record it the next day.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_submit
from yingxiao.core.errors import BusinessError
from yingxiao.org.models import User
from yingxiao.org.selectors import primary_department

from . import errors
from .common import require_perm, subject_pk, text
from .models import Outing, Trip, TripCheckin

OUTING_REQUEST = "outing"
TRIP_REQUEST = "business_trip"


def outing_register(*, actor: User, starts_at: dt.datetime, ends_at: dt.datetime, place: str, reason: str) -> Outing:
    """rule: HR-3 — register going out during working hours (time, place, reason) for approval."""
    require_perm(actor, "workforce.add_outing")
    place = text(place, "place", limit=200)
    reason = text(reason, "reason")
    if ends_at <= starts_at:
        raise BusinessError(errors.BAD_DATES, field="ends_at")
    with transaction.atomic():
        outing = Outing.objects.create(
            person=actor,
            department=primary_department(actor),
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            reason=reason,
        )
        approval_submit(
            actor=actor,
            request_type=OUTING_REQUEST,
            subject=outing,
            note=reason,
            title=str(format_lazy(_("Outing · {person} · {place}"), person=actor, place=place))[:200],
        )
    outing.refresh_from_db()
    return outing


def trip_register(*, actor: User, start_date: dt.date, end_date: dt.date, destination: str, purpose: str) -> Trip:
    """rule: HR-4 — register a business trip for the superior's approval."""
    require_perm(actor, "workforce.add_trip")
    destination = text(destination, "destination", limit=200)
    purpose = text(purpose, "purpose")
    if end_date < start_date:
        raise BusinessError(errors.BAD_DATES, field="end_date")
    with transaction.atomic():
        trip = Trip.objects.create(
            person=actor,
            department=primary_department(actor),
            start_date=start_date,
            end_date=end_date,
            destination=destination,
            purpose=purpose,
        )
        approval_submit(
            actor=actor,
            request_type=TRIP_REQUEST,
            subject=trip,
            days=(end_date - start_date).days + 1,
            note=purpose,
            title=str(format_lazy(_("Business trip · {person} · {place}"), person=actor, place=destination))[:200],
        )
    trip.refresh_from_db()
    return trip


def trip_checkin(
    *,
    actor: User,
    trip: Trip,
    place: str,
    note: str = "",
    photo: UploadedFile | None = None,
    at: dt.datetime | None = None,
) -> TripCheckin:
    """rule: HR-4 — the traveller's check-in for today, once a day, on an approved trip."""
    require_perm(actor, "workforce.add_tripcheckin")
    moment = at or timezone.now()
    day = timezone.localdate(moment)
    if trip.person_id != actor.pk:
        raise BusinessError(errors.NO_PERMISSION)
    if trip.status != Trip.Status.APPROVED or not (trip.start_date <= day <= trip.end_date):
        raise BusinessError(errors.TRIP_NOT_ACTIVE)
    place = text(place, "place", limit=200)
    note = text(note, "note", required=False)
    checkin = TripCheckin(
        trip=trip, person=actor, department=trip.department, day=day, at=moment, place=place, note=note
    )
    if photo:
        checkin.photo = photo
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError as exc:
        raise BusinessError(errors.ALREADY_CHECKED_IN) from exc
    return checkin


def _decide(model: type[Outing] | type[Trip], instance: Instance, status: str) -> None:
    model.objects.filter(pk=subject_pk(instance), status=model.Status.PENDING).update(status=status)


def outing_on_approved(instance: Instance) -> None:
    _decide(Outing, instance, Outing.Status.APPROVED)


def outing_on_rejected(instance: Instance) -> None:
    _decide(Outing, instance, Outing.Status.REJECTED)


def trip_on_approved(instance: Instance) -> None:
    _decide(Trip, instance, Trip.Status.APPROVED)


def trip_on_rejected(instance: Instance) -> None:
    _decide(Trip, instance, Trip.Status.REJECTED)
