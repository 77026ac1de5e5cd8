"""Shipment actions (SHP-1…3): create, archive and review documents, dispatch, logistics, receipt,
spot check, management complaint.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from yingxiao.core.errors import NOT_FOUND, BusinessError
from yingxiao.policy.values import policy_value

from .. import errors
from ..models import LogisticsEntry, Order, Shipment, ShipmentComplaint, ShipmentDocument, SpotCheck
from ..models.shipments import COMPLAINT_PERMISSION, SPOT_CHECK_PERMISSION
from .common import require

if TYPE_CHECKING:
    from yingxiao.org.models import User

MAX_UPLOAD_MB = 20
ALLOWED_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
_SIGNATURES = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG")


def shipment_link(shipment: Shipment) -> str:
    return reverse("sales:shipment_detail", args=[shipment.pk])


def check_upload(upload: Any, field: str = "file") -> UploadedFile:
    """A PDF or image of bounded size whose first bytes match its type (archives must open later)."""
    if upload is None or not hasattr(upload, "read") or not getattr(upload, "name", ""):
        raise BusinessError(errors.BAD_FILE, field=field, mb=MAX_UPLOAD_MB)
    name = str(upload.name).lower()
    if not name.endswith(ALLOWED_EXTENSIONS) or (upload.size or 0) > MAX_UPLOAD_MB * 1024 * 1024 or not upload.size:
        raise BusinessError(errors.BAD_FILE, field=field, mb=MAX_UPLOAD_MB)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(_SIGNATURES):
        raise BusinessError(errors.BAD_FILE, field=field, mb=MAX_UPLOAD_MB)
    upload.name = f"{uuid.uuid4().hex[:12]}{os.path.splitext(name)[1]}"
    return upload


def shipment_for(actor: User, shipment: Shipment | int, action: str = "view") -> Shipment:
    pk = shipment.pk if isinstance(shipment, Shipment) else shipment
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND) from exc
    found = Shipment.objects.restrict(actor, action).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise BusinessError(NOT_FOUND)
    return found


def shipment_create(
    *,
    actor: User,
    order: Order | int,
    responsible: User | None = None,
    carrier: str = "",
    tracking_no: str = "",
    address: str = "",
) -> Shipment:
    """A shipment of an effective order; the follow-up is the order's rep unless someone is named."""
    require(actor, "sales.add_shipment")
    pk = order.pk if isinstance(order, Order) else order
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise BusinessError(NOT_FOUND, field="order") from exc
    with transaction.atomic():
        found = Order.objects.restrict(actor, "view").filter(pk=pk).first()
        if found is None:
            raise BusinessError(NOT_FOUND, field="order")
        if not found.is_effective:
            raise BusinessError(errors.ORDER_NOT_EFFECTIVE, field="order")
        shipment = Shipment.objects.create(
            number=f"TMP-{uuid.uuid4().hex[:20]}",
            order=found,
            responsible=responsible or found.owner,
            carrier=(carrier or "").strip()[:200],
            tracking_no=(tracking_no or "").strip()[:100],
            address=(address or "").strip()[:500],
            created_by=actor,
        )
        shipment.number = f"FH{timezone.localdate():%Y%m}-{shipment.pk:06d}"
        shipment.save(update_fields=["number"])
    return shipment


def document_upload(*, actor: User, shipment: Shipment | int, kind: str, file: Any) -> ShipmentDocument:
    """Archive a checklist document (SHP-1); a re-upload keeps the earlier file (not current)."""
    if kind not in ShipmentDocument.Kind.values:
        raise BusinessError(errors.BAD_DOCUMENT_KIND, field="kind")
    upload = check_upload(file)
    with transaction.atomic():
        locked = shipment_for(actor, shipment, "change")
        if locked.status != Shipment.Status.PREPARING:
            raise BusinessError(errors.SHIPMENT_STATE, status=locked.get_status_display())
        ShipmentDocument.objects.filter(shipment=locked, kind=kind, is_current=True).update(is_current=False)
        return ShipmentDocument.objects.create(shipment=locked, kind=kind, file=upload, uploaded_by=actor)


def document_review(*, actor: User, shipment: Shipment | int, kind: str) -> ShipmentDocument:
    """Mark the current document of ``kind`` reviewed (SHP-1)."""
    with transaction.atomic():
        locked = shipment_for(actor, shipment, "change")
        if locked.status != Shipment.Status.PREPARING:
            raise BusinessError(errors.SHIPMENT_STATE, status=locked.get_status_display())
        document = ShipmentDocument.objects.filter(shipment=locked, kind=kind, is_current=True).first()
        if document is None:
            raise BusinessError(errors.DOCUMENTS_MISSING, field="kind", missing=_label(kind))
        document.reviewed_by, document.reviewed_at = actor, timezone.now()
        document.save(update_fields=["reviewed_by", "reviewed_at"])
        return document


def _label(kind: str) -> str:
    return str(dict(ShipmentDocument.Kind.choices).get(kind, kind))


def missing_documents(shipment: Shipment) -> list[str]:
    """The checklist documents not yet archived and reviewed (SHP-1), in checklist order."""
    done = set(
        ShipmentDocument.objects.filter(shipment=shipment, is_current=True, reviewed_at__isnull=False).values_list(
            "kind", flat=True
        )
    )
    return [kind for kind in ShipmentDocument.Kind.values if kind not in done]


def shipment_dispatch(*, actor: User, shipment: Shipment | int) -> Shipment:
    """Dispatch — only with the whole documents checklist archived and reviewed (SHP-1)."""
    with transaction.atomic():
        locked = shipment_for(actor, shipment, "change")
        if locked.status != Shipment.Status.PREPARING:
            raise BusinessError(errors.SHIPMENT_STATE, status=locked.get_status_display())
        # rule: SHP-1 — no dispatch before the checklist is reviewed and archived.
        missing = missing_documents(locked)
        if missing:
            raise BusinessError(errors.DOCUMENTS_MISSING, missing="、".join(_label(k) for k in missing))
        locked.status, locked.dispatched_at = Shipment.Status.DISPATCHED, timezone.now()
        locked.save(update_fields=["status", "dispatched_at"])
    return locked


def logistics_add(*, actor: User, shipment: Shipment | int, note: str, at: dt.datetime | None = None) -> LogisticsEntry:
    """Log logistics progress (SHP-3)."""
    text = (note or "").strip()[:500]
    if not text:
        raise BusinessError(errors.TEXT_REQUIRED, field="note")
    when = at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise BusinessError(errors.BAD_DATE, field="at")
    with transaction.atomic():
        locked = shipment_for(actor, shipment, "change")
        return LogisticsEntry.objects.create(shipment=locked, at=when, note=text, entered_by=actor)


def receipt_upload(*, actor: User, shipment: Shipment | int, file: Any) -> Shipment:
    """Archive the signed delivery receipt (签收单, SHP-2); the shipment is then delivered."""
    upload = check_upload(file)
    with transaction.atomic():
        locked = shipment_for(actor, shipment, "change")
        if locked.status == Shipment.Status.PREPARING:
            raise BusinessError(errors.SHIPMENT_STATE, status=locked.get_status_display())
        locked.receipt = upload
        locked.receipt_uploaded_at, locked.receipt_uploaded_by = timezone.now(), actor
        locked.status = Shipment.Status.DELIVERED
        locked.save(update_fields=["receipt", "receipt_uploaded_at", "receipt_uploaded_by", "status"])
    return locked


def shipment_spot_check(*, actor: User, note: str = "") -> SpotCheck:
    """Spot-check the dispatched shipments in the actor's scope (SHP-2).

    Each one found without a signed receipt is a violation of its follow-up person, fined
    ``{missing_receipt_fine}`` — once per shipment, however many checks find it (breach key).
    """
    from yingxiao.performance.services import violation_record

    require(actor, SPOT_CHECK_PERMISSION)
    fine = Decimal(str(policy_value("missing_receipt_fine")))
    with transaction.atomic():
        scoped = Shipment.objects.restrict(actor, "view").exclude(status=Shipment.Status.PREPARING)
        missing = list(scoped.filter(receipt="").select_related("order__customer", "responsible").order_by("pk"))
        check = SpotCheck.objects.create(checked_by=actor, checked_count=scoped.count(), note=(note or "")[:500])
        check.missing.set(missing)
    for shipment in missing:
        # rule: SHP-2 — a shipment without a signed receipt at a spot check, once per shipment.
        violation_record(
            actor_or_system=None,
            person=shipment.responsible,
            rule_id="SHP-2",
            evidence=gettext(
                "Spot check %(when)s: shipment %(number)s (order %(order)s, %(customer)s) "
                "has no signed delivery receipt."
            )
            % {
                "when": timezone.localtime(check.checked_at).strftime("%Y-%m-%d %H:%M"),
                "number": shipment.number,
                "order": shipment.order.number,
                "customer": shipment.order.customer.name,
            },
            amount=fine,
            subject=shipment,
            breach_key=f"SHP-2:shipment:{shipment.pk}",
        )
    return check


def shipment_complaint_record(
    *, actor: User, shipment: Shipment | int, description: str, person: User | None = None
) -> ShipmentComplaint:
    """Management's complaint about a logistics lapse (SHP-3): a violation of the person responsible."""
    from yingxiao.performance.services import violation_record

    require(actor, COMPLAINT_PERMISSION)
    text = (description or "").strip()[:1000]
    if not text:
        raise BusinessError(errors.TEXT_REQUIRED, field="description")
    with transaction.atomic():
        locked = shipment_for(actor, shipment)
        responsible = person or locked.responsible
        complaint = ShipmentComplaint.objects.create(
            shipment=locked, person=responsible, description=text, recorded_by=actor
        )
        # rule: SHP-3 — a logistics lapse that leads to a complaint from management.
        violation_record(
            actor_or_system=None,
            person=responsible,
            rule_id="SHP-3",
            evidence=gettext("Logistics lapse on shipment %(number)s: %(text)s")
            % {"number": locked.number, "text": text},
            amount=Decimal(str(policy_value("shipment_followup_fine"))),
            subject=complaint,
            breach_key=f"SHP-3:complaint:{complaint.pk}",
        )
    return complaint
