"""ARC-2: documents carry a confidentiality level; access is restricted by level and role; every view
and download of a secret or confidential document is logged (who, when, what)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingxiao.archives import services
from yingxiao.archives.models import Document, DocumentAccess, Level
from yingxiao.core.errors import BusinessError

from .conftest import Archive, fresh

ALL = {"public", "internal", "secret", "confidential", "intl_secret"}
SECRET = {"public", "internal", "secret", "intl_secret"}
STAFF = {"public", "internal"}
# Who finds which document in the catalog, by the clearance of their role (ARC-2).
CATALOG = {
    "director": ALL,
    "gm": ALL,
    "head": SECRET,
    "rep": STAFF,
    "teammate": STAFF,
    "other_rep": STAFF,
    "finance": SECRET,
    "admin": STAFF,
    "resource_director": SECRET,
    "keeper": SECRET,
}


def _user(arc: Archive, name: str):
    return fresh(getattr(arc, name))


@pytest.mark.parametrize("persona", sorted(CATALOG))
def test_arc_2_catalog_by_level_and_role(arc: Archive, persona: str, client) -> None:
    user = _user(arc, persona)
    names = {
        name for name, doc in arc.documents().items() if Document.objects.restrict(user).filter(pk=doc.pk).exists()
    }
    assert names == CATALOG[persona]
    client.force_login(user)
    page = client.get("/archives/")
    assert page.status_code == 200
    listed = {d.pk for d in page.context["page"]}
    assert listed == {arc.documents()[n].pk for n in CATALOG[persona]}


@pytest.mark.parametrize("persona", ["rep", "other_rep", "admin", "head", "finance"])
def test_arc_2_document_above_clearance_is_404_in_ui_and_api(arc: Archive, persona: str, client, api_client) -> None:
    user = _user(arc, persona)
    above = [doc for name, doc in arc.documents().items() if name not in CATALOG[persona]]
    assert above
    client.force_login(user)
    api_client.force_authenticate(user)
    for document in above:
        assert client.get(f"/archives/{document.pk}/").status_code == 404
        assert client.get(f"/archives/{document.pk}/file/").status_code == 404
        assert api_client.get(f"/api/v1/archive-documents/{document.pk}/").status_code == 404
        assert api_client.get(f"/api/v1/archive-documents/{document.pk}/file/").status_code == 404
    assert not DocumentAccess.objects.exists()


def test_arc_2_custodian_always_reaches_own_document(arc: Archive) -> None:
    # The keeper has no 机密 clearance but keeps this confidential document.
    kept = Document.objects.create(
        number="JM-9", title="总经理办公会纪要", level=Level.CONFIDENTIAL, custodian=arc.keeper, created_by=arc.director
    )
    keeper = fresh(arc.keeper)
    assert Document.objects.restrict(keeper).filter(pk=kept.pk).exists()
    assert not Document.objects.restrict(fresh(arc.head)).filter(pk=kept.pk).exists()


def test_arc_2_view_and_download_of_classified_documents_are_logged(arc: Archive, client, api_client) -> None:
    director = fresh(arc.director)
    client.force_login(director)
    assert client.get(f"/archives/{arc.confidential.pk}/").status_code == 200
    download = client.get(f"/archives/{arc.confidential.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    api_client.force_authenticate(fresh(arc.head))
    assert api_client.get(f"/api/v1/archive-documents/{arc.secret.pk}/").status_code == 200
    log = list(DocumentAccess.objects.order_by("pk").values_list("user_id", "document_id", "action", "level", "via"))
    assert log == [
        (director.pk, arc.confidential.pk, "view", "confidential", "web"),
        (director.pk, arc.confidential.pk, "download", "confidential", "web"),
        (arc.head.pk, arc.secret.pk, "view", "secret", "api"),
    ]
    assert all(entry.at is not None for entry in DocumentAccess.objects.all())


def test_arc_2_public_and_internal_documents_are_not_logged(arc: Archive, client) -> None:
    client.force_login(fresh(arc.rep))
    assert client.get(f"/archives/{arc.public.pk}/").status_code == 200
    assert client.get(f"/archives/{arc.internal.pk}/file/").status_code == 200
    assert not DocumentAccess.objects.exists()


def test_arc_2_classified_file_needs_scope_custody_or_a_loan(arc: Archive, client) -> None:
    head = fresh(arc.head)
    # 国际部's secret file: the head is cleared for the level but it is outside their department.
    with pytest.raises(BusinessError) as refused:
        services.document_download(actor=head, pk=arc.intl_secret.pk)
    assert refused.value.code == "archives.needs_borrowing"
    assert not DocumentAccess.objects.exists()
    assert services.may_open(head, arc.secret)  # their own department's (and custody)
    assert services.may_open(fresh(arc.director), arc.intl_secret)  # management: all
    client.force_login(head)
    response = client.get(f"/archives/{arc.intl_secret.pk}/file/")
    assert response.status_code == 302  # back to the page with the message


def test_arc_2_register_only_up_to_own_clearance(arc: Archive) -> None:
    head = fresh(arc.head)
    with pytest.raises(BusinessError) as refused:
        services.document_register(actor=head, number="JM-2", title="战略", level=Level.CONFIDENTIAL)
    assert refused.value.code == "archives.not_cleared" and refused.value.status == 403
    with pytest.raises(BusinessError) as no_right:
        services.document_register(actor=fresh(arc.rep), number="NB-2", title="x", level=Level.INTERNAL)
    assert no_right.value.code == "archives.no_permission"
    assert not Document.objects.filter(number__in=["JM-2", "NB-2"]).exists()
    upload = SimpleUploadedFile("合同.pdf", b"%PDF-1.4 contract", content_type="application/pdf")
    document = services.document_register(
        actor=head, number="MM-3", title="国内部合同", level=Level.SECRET, file=upload
    )
    assert document.file_name == "合同.pdf" and document.file.read().startswith(b"%PDF")
    assert document.department == arc.domestic and document.custodian == arc.head
    with pytest.raises(BusinessError) as duplicate:
        services.document_register(actor=head, number="MM-3", title="again", level=Level.SECRET)
    assert duplicate.value.code == "archives.duplicate_number"
    assert document.history.count() == 1


def test_arc_2_document_changes_are_versioned_and_void_not_deleted(arc: Archive) -> None:
    head = fresh(arc.head)
    services.document_update(actor=head, document=arc.secret, level=Level.INTERNAL, title="国内部价格表(已解密)")
    arc.secret.refresh_from_db()
    assert arc.secret.level == Level.INTERNAL and arc.secret.history.count() == 2
    with pytest.raises(BusinessError) as refused:
        services.document_update(actor=head, document=arc.secret, level=Level.CONFIDENTIAL)
    assert refused.value.code == "archives.not_cleared"
    services.document_void(actor=head, document=arc.secret)
    assert Document.objects.get(pk=arc.secret.pk).status == Document.Status.VOID
