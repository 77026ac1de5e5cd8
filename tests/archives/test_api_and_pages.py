"""Archive pages and API (ARC-1, ARC-2): scoped like the services, errors with codes."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from yingxiao.archives.models import Borrowing, Document, DocumentAccess
from yingxiao.web.context_processors import entries_for

from .conftest import Archive, approve, fresh, in_days


def test_arc_2_navigation_and_pages_render(arc: Archive, client) -> None:
    director = fresh(arc.director)
    assert "archives:list" in {item["name"] for item in entries_for(director)}
    client.force_login(director)
    for url in (
        "/archives/",
        f"/archives/{arc.confidential.pk}/",
        "/archives/new/",
        f"/archives/{arc.internal.pk}/borrow/",
        "/archives/borrowings/",
        "/archives/access-log/",
        "/archives/export-log/",
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(fresh(arc.rep))
    assert client.get("/archives/access-log/").status_code == 403
    assert client.get("/archives/new/").status_code == 403


def test_arc_1_borrow_and_return_through_the_pages(arc: Archive, client) -> None:
    client.force_login(fresh(arc.head))
    bad = client.post(f"/archives/{arc.intl_secret.pk}/borrow/", {"due_date": in_days(90), "purpose": "核对"})
    assert bad.status_code == 400 and not Borrowing.objects.exists()
    done = client.post(f"/archives/{arc.intl_secret.pk}/borrow/", {"due_date": in_days(5), "purpose": "核对"})
    assert done.status_code == 302
    borrowing = Borrowing.objects.get()
    approve(arc.director, borrowing)
    client.force_login(fresh(arc.rep))
    assert client.get(f"/archives/borrowings/{borrowing.pk}/return/").status_code == 404
    client.force_login(fresh(arc.keeper))
    page = client.get("/archives/borrowings/")
    assert f"/archives/borrowings/{borrowing.pk}/return/" in page.content.decode()
    returned = client.post(f"/archives/borrowings/{borrowing.pk}/return/", {"condition": "intact", "note": ""})
    assert returned.status_code == 302
    borrowing.refresh_from_db()
    assert borrowing.status == Borrowing.Status.RETURNED and borrowing.condition == "intact"


def test_arc_2_register_a_document_with_its_file_from_the_page(arc: Archive, client) -> None:
    client.force_login(fresh(arc.head))
    upload = SimpleUploadedFile("报价单.xlsx", b"PK\x03\x04 quote", content_type="application/octet-stream")
    response = client.post(
        "/archives/new/",
        {"number": "MM-7", "title": "报价单", "category": "price", "level": "secret", "file": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get(number="MM-7")
    assert document.file_name == "报价单.xlsx" and document.file.read().startswith(b"PK")
    refused = client.post(
        "/archives/new/", {"number": "JM-7", "title": "x", "category": "other", "level": "confidential"}
    )
    assert refused.status_code == 400 and not Document.objects.filter(number="JM-7").exists()


def test_arc_2_api_scopes_documents_and_logs_access(arc: Archive, api_as) -> None:
    rep = api_as("rep")
    listed = rep.get("/api/v1/archive-documents/")
    assert listed.status_code == 200
    assert {row["number"] for row in listed.json()["results"]} == {"GK-1", "NB-1"}
    refused = rep.post(
        "/api/v1/archive-borrowings/", {"document": arc.secret.pk, "due_date": str(in_days(3)), "purpose": "看看"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "archives.not_cleared"
    head = api_as("head")
    created = head.post("/api/v1/archive-documents/", {"number": "NB-9", "title": "周报", "level": "internal"})
    assert created.status_code == 201 and created.json()["level"] == "internal"
    bad = head.post("/api/v1/archive-documents/", {"number": "NB-10", "title": "周报", "level": "top"})
    assert bad.status_code == 400 and bad.json()["code"] == "archives.bad_value"
    borrowed = head.post(
        "/api/v1/archive-borrowings/",
        {"document": arc.intl_secret.pk, "due_date": str(in_days(3)), "purpose": "合同复核"},
    )
    assert borrowed.status_code == 201 and borrowed.json()["status"] == "pending"
    file = head.get(f"/api/v1/archive-documents/{arc.intl_secret.pk}/file/")
    assert file.status_code == 403 and file.json()["code"] == "archives.needs_borrowing"
    approve(arc.director, Borrowing.objects.get())
    file = head.get(f"/api/v1/archive-documents/{arc.intl_secret.pk}/file/")
    assert file.status_code == 200
    assert DocumentAccess.objects.filter(user=arc.head, action="download", via="api").count() == 1
    returned = api_as("director").post(
        f"/api/v1/archive-borrowings/{Borrowing.objects.get().pk}/return/", {"condition": "lost", "note": "未找到"}
    )
    assert returned.status_code == 200 and returned.json()["condition"] == "lost"
    assert api_as("director").get("/api/v1/archive-access-log/").json()["count"] == 1
    assert api_as("rep").get("/api/v1/archive-access-log/").status_code == 403
    assert api_as("director").get("/api/v1/export-log/").status_code == 200
