"""Shipments (SHP-1…3): the documents checklist before dispatch, signed receipts and spot checks,
logistics and management's complaint."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.api.base import assert_error_format
from yingxiao.core.errors import BusinessError
from yingxiao.performance.models import Violation
from yingxiao.policy.values import policy_value
from yingxiao.sales.models import Shipment, ShipmentDocument
from yingxiao.sales.services import shipments as services

from .deal_fixtures import deal, pdf  # noqa: F401

pytestmark = pytest.mark.django_db
KINDS = ShipmentDocument.Kind.values


def _shipment(deal):  # noqa: F811
    order = deal.order(effective=True)
    return services.shipment_create(actor=deal.p.rep, order=order, carrier="顺丰", tracking_no="SF123")


def _complete_checklist(deal, shipment) -> None:  # noqa: F811
    for kind in KINDS:
        services.document_upload(actor=deal.office, shipment=shipment, kind=kind, file=pdf(f"{kind}.pdf"))
        services.document_review(actor=deal.office, shipment=shipment, kind=kind)


def test_shp_1_only_an_effective_order_ships(deal) -> None:  # noqa: F811
    draft = deal.order()
    with pytest.raises(BusinessError) as caught:
        services.shipment_create(actor=deal.p.rep, order=draft)
    assert caught.value.code == "sales.order_not_effective"
    assert not Shipment.objects.exists()


def test_shp_1_dispatch_without_the_reviewed_checklist_is_refused(deal, api_as) -> None:  # noqa: F811
    shipment = _shipment(deal)
    with pytest.raises(BusinessError) as caught:
        services.shipment_dispatch(actor=deal.p.rep, shipment=shipment)
    assert caught.value.code == "sales.documents_missing"
    for kind in KINDS:  # archived but not reviewed: still refused
        services.document_upload(actor=deal.p.rep, shipment=shipment, kind=kind, file=pdf())
    body = assert_error_format(api_as("rep").post(f"/api/v1/sales/shipments/{shipment.pk}/dispatch/"), 409)
    assert body["code"] == "sales.documents_missing"
    for kind in KINDS[:-1]:
        services.document_review(actor=deal.p.rep, shipment=shipment, kind=kind)
    with pytest.raises(BusinessError) as caught:
        services.shipment_dispatch(actor=deal.p.rep, shipment=shipment)
    assert "发货清单" in caught.value.message or "Packing list" in caught.value.message
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PREPARING and shipment.dispatched_at is None


def test_shp_1_dispatch_after_every_document_is_archived_and_reviewed(deal) -> None:  # noqa: F811
    shipment = _shipment(deal)
    _complete_checklist(deal, shipment)
    services.document_upload(actor=deal.office, shipment=shipment, kind="manual", file=pdf("manual-v2.pdf"))
    assert services.missing_documents(shipment) == ["manual"]  # a replaced file is reviewed again
    services.document_review(actor=deal.office, shipment=shipment, kind="manual")
    dispatched = services.shipment_dispatch(actor=deal.p.rep, shipment=shipment)
    assert dispatched.status == Shipment.Status.DISPATCHED and dispatched.dispatched_at is not None
    assert ShipmentDocument.objects.filter(shipment=shipment, kind="manual").count() == 2  # the archive keeps both
    with pytest.raises(BusinessError) as caught:  # the checklist is frozen once dispatched
        services.document_upload(actor=deal.office, shipment=shipment, kind="manual", file=pdf())
    assert caught.value.code == "sales.shipment_state"


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
        None,
    ],
)
def test_shp_1_bad_files_are_refused(deal, upload) -> None:  # noqa: F811
    shipment = _shipment(deal)
    with pytest.raises(BusinessError) as caught:
        services.document_upload(actor=deal.p.rep, shipment=shipment, kind="manual", file=upload)
    assert caught.value.code == "sales.bad_file"
    with pytest.raises(BusinessError) as caught:
        services.document_upload(actor=deal.p.rep, shipment=shipment, kind="brochure", file=pdf())
    assert caught.value.code == "sales.bad_document_kind"
    assert not ShipmentDocument.objects.exists()


def test_shp_2_spot_check_finds_shipments_without_a_signed_receipt_once_each(deal) -> None:  # noqa: F811
    unsigned = _shipment(deal)
    _complete_checklist(deal, unsigned)
    services.shipment_dispatch(actor=deal.p.rep, shipment=unsigned)
    signed = _shipment(deal)
    _complete_checklist(deal, signed)
    services.shipment_dispatch(actor=deal.p.rep, shipment=signed)
    with pytest.raises(BusinessError) as caught:  # not a signed slip
        services.receipt_upload(actor=deal.p.rep, shipment=signed, file=SimpleUploadedFile("a.txt", b"hi"))
    assert caught.value.code == "sales.bad_file"
    services.receipt_upload(actor=deal.p.rep, shipment=signed, file=pdf("签收单.pdf"))
    preparing = _shipment(deal)  # not dispatched: not checked
    with pytest.raises(PermissionDenied):
        services.shipment_spot_check(actor=deal.p.rep)
    check = services.shipment_spot_check(actor=deal.p.head)
    assert list(check.missing.all()) == [unsigned] and check.checked_count == 2
    services.shipment_spot_check(actor=deal.p.director)  # found again: still one violation
    own = Violation.objects.filter(rule_id="SHP-2", person=deal.p.rep, object_id=unsigned.pk)
    assert own.count() == 1
    assert own.get().amount == Decimal(str(policy_value("missing_receipt_fine")))
    assert not Violation.objects.filter(rule_id="SHP-2", object_id__in=[signed.pk, preparing.pk]).exists()


def test_shp_2_receipt_upload_in_the_ui_delivers_the_shipment(deal, client) -> None:  # noqa: F811
    shipment = _shipment(deal)
    _complete_checklist(deal, shipment)
    client.force_login(deal.p.rep)
    client.post(reverse("sales:shipment_action", args=[shipment.pk, "dispatch"]))
    response = client.post(reverse("sales:shipment_action", args=[shipment.pk, "receipt"]), {"file": pdf("签收单.pdf")})
    assert response.status_code == 302
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED and shipment.receipt
    assert client.get(reverse("sales:shipment_file", args=[shipment.pk, "receipt"])).status_code == 200
    client.force_login(deal.p.other_rep)
    assert client.get(reverse("sales:shipment_detail", args=[shipment.pk])).status_code == 404
    assert client.get(reverse("sales:shipment_file", args=[shipment.pk, "receipt"])).status_code == 404


def test_shp_3_logistics_progress_and_a_management_complaint_is_a_violation(deal) -> None:  # noqa: F811
    shipment = _shipment(deal)
    entry = services.logistics_add(actor=deal.p.rep, shipment=shipment, note="已到达上海中转站")
    assert entry.entered_by == deal.p.rep
    with pytest.raises(BusinessError) as caught:
        services.logistics_add(actor=deal.p.rep, shipment=shipment, note="")
    assert caught.value.code == "sales.text_required"
    with pytest.raises(PermissionDenied):
        services.shipment_complaint_record(actor=deal.p.rep, shipment=shipment, description="未跟进")
    complaint = services.shipment_complaint_record(
        actor=deal.p.director, shipment=shipment, description="客户三天未收到货，未跟进物流"
    )
    violation = Violation.objects.get(rule_id="SHP-3", person=deal.p.rep, kind="own")
    assert violation.amount == Decimal(str(policy_value("shipment_followup_fine")))
    assert complaint.person == deal.p.rep
