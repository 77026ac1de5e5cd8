"""Customer archive import (issue 7 item 7): GBK CSV, .xls, .xlsx; dry run; CUS-2 duplicates; CUS-6 allocation."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tests.factories import CustomerFactory
from yingxiao.core.errors import BusinessError
from yingxiao.customers import imports
from yingxiao.customers.models import AllocationLine, Customer, CustomerIdentity, DuplicateAttempt

from .conftest import fresh

pytestmark = pytest.mark.django_db

CSV = (
    "客户名称,电话,类型,邮箱,地区,备注\n"
    "华东机械有限公司,13800000001,公司,a@example.com,杭州,科普名单\n"
    "张伟,138-0000-0002,个人,,上海,\n"
)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xls(rows: list[list[object]]) -> bytes:
    xlwt = pytest.importorskip("xlwt")  # a dev-only writer: python-calamine only reads
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("客户")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_cus_2_gbk_csv_dry_run_changes_nothing(personas) -> None:
    before = (Customer.objects.count(), CustomerIdentity.objects.count(), DuplicateAttempt.objects.count())
    report = imports.customer_import_check(actor=fresh(personas.head), filename="名单.csv", content=CSV.encode("gbk"))
    assert (report.total, len(report.accepted), len(report.invalid)) == (2, 2, 0)
    assert report.rows[1].kind == Customer.Kind.PERSON
    assert (Customer.objects.count(), CustomerIdentity.objects.count(), DuplicateAttempt.objects.count()) == before


def test_cus_6_import_creates_unowned_customers_then_allocates_them_evenly(personas) -> None:
    head = fresh(personas.head)
    ids, _report, allocation = imports.customer_import_apply(
        actor=head,
        filename="名单.csv",
        content=CSV.encode("utf-8"),
        allocate_to=[personas.rep, personas.teammate],
        note="科普名单",
    )
    assert len(ids) == 2 and allocation is not None
    owners = sorted(Customer.objects.filter(pk__in=ids).values_list("owner__username", flat=True))
    assert owners == ["rep", "teammate"]
    assert AllocationLine.objects.filter(allocation=allocation).count() == 2
    assert Customer.objects.get(name="华东机械有限公司").history.first().history_user_id == head.pk
    # The identity keys are registered: the same list again is all duplicates.
    again = imports.customer_import_check(actor=head, filename="名单.csv", content=CSV.encode("utf-8"))
    assert len(again.duplicates) == 2 and not again.accepted


def test_cus_6_imported_customers_wait_unowned_for_allocation(personas) -> None:
    ids, _report, allocation = imports.customer_import_apply(
        actor=fresh(personas.head), filename="a.xlsx", content=_xlsx([["客户名称", "手机"], ["甲公司", 13800000011]])
    )
    assert allocation is None
    customer = Customer.objects.get(pk=ids[0])
    assert (customer.owner_id, customer.department_id) == (None, personas.domestic.pk)
    from yingxiao.customers.allocation import allocatable_customers

    assert list(allocatable_customers(fresh(personas.head)).values_list("pk", flat=True)) == ids


def test_cus_2_xlsx_with_numeric_phones_is_read(personas) -> None:
    content = _xlsx([["名称", "电话"], ["甲公司", 13800000001], ["乙公司", "138-0000-0002"]])
    report = imports.customer_import_check(actor=fresh(personas.head), filename="a.xlsx", content=content)
    assert [row.phone_normalized for row in report.rows] == ["13800000001", "13800000002"]


def test_cus_2_real_xls_file_is_imported(personas) -> None:
    content = _xls([["客户名称", "电话"], ["甲公司", 13800000001], ["乙公司", "13800000002"]])
    assert content.startswith(b"\xd0\xcf\x11\xe0")
    ids, _report, _allocation = imports.customer_import_apply(
        actor=fresh(personas.head), filename="客户.xls", content=content
    )
    assert len(ids) == 2
    assert sorted(Customer.objects.filter(pk__in=ids).values_list("phone_normalized", flat=True)) == [
        "13800000001",
        "13800000002",
    ]


def test_cus_2_per_row_errors_in_chinese_and_bad_rows_refuse_the_whole_batch(personas) -> None:
    content = "客户名称,电话,邮箱\n,13800000001,\n乙公司,12ab,\n丙公司,13800000003,not-mail\n丁公司,13800000004,\n"
    report = imports.customer_import_check(actor=fresh(personas.head), filename="a.csv", content=content.encode())
    messages = {row.number: " ".join(row.errors) for row in report.invalid}
    assert set(messages) == {2, 3, 4}
    assert "客户名称" in messages[2] or "名称" in messages[2]
    assert "电话" in messages[3] or "phone" not in messages[3].lower()
    before = Customer.objects.count()
    with pytest.raises(BusinessError) as refused:
        imports.customer_import_apply(actor=fresh(personas.head), filename="a.csv", content=content.encode())
    assert refused.value.code == "customers.import_rows_invalid"
    assert Customer.objects.count() == before
    ids, _report, _a = imports.customer_import_apply(
        actor=fresh(personas.head), filename="a.csv", content=content.encode(), skip_invalid=True
    )
    assert list(Customer.objects.filter(pk__in=ids).values_list("name", flat=True)) == ["丁公司"]


def test_cus_2_duplicates_against_the_archive_and_within_the_file_are_reported(personas) -> None:
    CustomerFactory(name="老客户公司", phone="13900000009", owner=personas.other_rep, department=personas.international)
    existing = Customer.objects.get(name="老客户公司")
    from yingxiao.customers.dedup import sync_identities

    sync_identities(existing, [])
    content = "客户名称,电话\n新公司,139-0000-0009\n另一家,13800000001\n另一家,13800000002\n"
    report = imports.customer_import_check(actor=fresh(personas.head), filename="a.csv", content=content.encode())
    duplicate = report.duplicates[0]
    assert duplicate.number == 2
    # rule: CUS-2 — out of the head's scope: the owner and department are named, the customer is not.
    assert "老客户公司" not in duplicate.duplicate.message
    assert personas.international.name in duplicate.duplicate.message
    assert [row.number for row in report.invalid] == [4]  # the company name repeats row 3
    ids, _report, _a = imports.customer_import_apply(
        actor=fresh(personas.head), filename="a.csv", content=content.encode(), skip_invalid=True
    )
    assert len(ids) == 1
    attempt = DuplicateAttempt.objects.get()
    assert (attempt.existing_id, attempt.channel) == (existing.pk, DuplicateAttempt.Channel.IMPORT)


@pytest.mark.parametrize(
    ("filename", "content", "code"),
    [
        ("a.csv", "姓名X,号码\n甲,1\n".encode(), "customers.import_no_columns"),
        ("a.csv", "客户名称,电话\n".encode(), "customers.import_empty_file"),
        ("a.csv", b"\xff\xfe\x00\x00\xc3\x28\xa0\xa1\x81", "customers.import_bad_file"),
        ("a.xlsx", b"PK\x03\x04broken zip", "customers.import_bad_file"),
        ("a.xls", b"plain text pretending", "customers.import_bad_file"),
    ],
)
def test_wrong_columns_and_bad_encodings_are_refused_clearly(personas, filename, content, code) -> None:
    with pytest.raises(BusinessError) as refused:
        imports.customer_import_check(actor=fresh(personas.head), filename=filename, content=content)
    assert refused.value.code == code
    assert refused.value.message


def test_oversized_file_is_refused(personas, monkeypatch) -> None:
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(BusinessError) as refused:
        imports.customer_import_check(actor=fresh(personas.head), filename="a.csv", content=b"x" * 101)
    assert refused.value.code == "customers.import_file_too_large"


def test_allocation_failure_rolls_the_whole_import_back(personas) -> None:
    before = Customer.objects.count()
    with pytest.raises(BusinessError):
        imports.customer_import_apply(
            actor=fresh(personas.head), filename="a.csv", content=CSV.encode(), allocate_to=[personas.other_rep]
        )
    assert Customer.objects.count() == before
    assert not CustomerIdentity.objects.exists()


@pytest.mark.parametrize("persona", ["rep", "finance", "admin", "other_rep"])
def test_import_needs_the_head_or_resource_director(personas, persona) -> None:
    with pytest.raises(BusinessError) as refused:
        imports.customer_import_check(actor=fresh(getattr(personas, persona)), filename="a.csv", content=CSV.encode())
    assert refused.value.code == "customers.import_not_allowed"


def test_import_page_dry_run_then_apply_and_allocate(personas, client) -> None:
    client.force_login(personas.head)
    url = reverse("customers:import")
    upload = SimpleUploadedFile("名单.csv", CSV.encode("gbk"), content_type="text/csv")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert Customer.objects.count() == 0
    token = response.context["apply_form"].initial["token"]
    response = client.post(url, {"token": token, "staff": [personas.rep.pk, personas.teammate.pk], "note": "科普"})
    assert response.status_code == 302
    assert Customer.objects.filter(owner__isnull=False).count() == 2
    client.force_login(personas.rep)
    assert client.get(url).status_code == 403
