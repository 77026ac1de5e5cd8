"""The import's write (CUS-2, CUS-9): imported customers are the customers one-by-one registration makes.

Run on SQLite (``bulk_create_with_history``) and on PostgreSQL (COPY, versions by INSERT … SELECT):
the same rows, identity keys, search columns, contacts and first versions either way; the batch is
all or nothing, and a phone registered concurrently can never end up on two customers.
"""

from __future__ import annotations

import csv
import io
import threading
from typing import Any

import pytest
from django.db import connection, transaction

from yingxiao.core.errors import BusinessError
from yingxiao.customers import dedup, imports, services
from yingxiao.customers.models import Contact, Customer, CustomerIdentity, DuplicateAttempt
from yingxiao.org.models import User

pytestmark = pytest.mark.django_db

HEADER = "客户名称,电话,类型,邮箱,行业,地区,地址,来源,备注,联系人,职务,联系人电话,联系人邮箱\n"
# (form data, contact) — every column the import reads, and the registration form's first contact.
REGISTRATIONS: list[tuple[dict[str, str], dict[str, Any] | None]] = [
    (
        {
            "name": "杭州華東機械 有限責任公司",
            "phone": "+86 139-1234-5678",
            "kind": "company",
            "email": "Sales@HuaDong.example.com",
            "industry": "机械",
            "region": "杭州",
            "address": "文三路 1 号",
            "source": "fair",
            "needs": "数控机床",
        },
        {"name": "王经理", "title": "采购", "phone": "138 0000 1111", "email": "wang@huadong.example.com"},
    ),
    ({"name": "张伟", "phone": "13800000002", "kind": "person"}, None),
    # A contact whose phone is the customer's own: one key, the customer's (dedup.desired_keys).
    ({"name": "ABC 贸易公司", "phone": "021-5555 0000", "kind": "company"}, {"name": "李四", "phone": "02155550000"}),
]
CUSTOMER_COLUMNS = ["name", "phone", "kind", "email", "industry", "region", "address", "source", "needs"]
CONTACT_COLUMNS = ["name", "title", "phone", "email"]
KIND_LABELS = {"company": "公司", "person": "个人"}


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _csv(registrations: list[tuple[dict[str, str], dict[str, Any] | None]]) -> bytes:
    lines = [HEADER]
    for data, contact in registrations:
        cells = [KIND_LABELS[data[c]] if c == "kind" else data.get(c, "") for c in CUSTOMER_COLUMNS]
        cells += [(contact or {}).get(c, "") for c in CONTACT_COLUMNS]
        lines.append(",".join(cells) + "\n")
    return "".join(lines).encode("gbk")


def _snapshot(customer: Customer) -> dict[str, Any]:
    """Everything a registration writes, without ids, clocks, the owner and the first version's reason."""
    own = {f.attname for f in Customer._meta.concrete_fields} - {"id", "owner_id", "department_id", "registered_at"}
    contacts = list(Contact.objects.filter(customer=customer).order_by("pk"))
    names = {c.pk: c.name for c in contacts}
    versions = list(Customer.history.filter(id=customer.pk))
    contact_versions = list(Contact.history.filter(customer_id=customer.pk))
    tracked = {f.attname for f in Customer.history.model._meta.concrete_fields} & own
    contact_tracked = {f.attname for f in Contact._meta.concrete_fields} - {"id", "customer_id", "created_at"}
    return {
        "customer": {name: getattr(customer, name) for name in sorted(own)},
        "identities": sorted(
            (i.kind, i.value, names.get(i.contact_id)) for i in CustomerIdentity.objects.filter(customer=customer)
        ),
        "contacts": [{name: getattr(c, name) for name in sorted(contact_tracked)} for c in contacts],
        "versions": [
            (v.history_type, v.history_user_id, {name: getattr(v, name) for name in sorted(tracked)}) for v in versions
        ],
        "contact_versions": sorted(
            (v.history_type, v.history_user_id, v.history_change_reason, v.name, v.phone, v.is_primary)
            for v in contact_versions
        ),
    }


def _registered_one_by_one(actor: User) -> list[dict[str, Any]]:
    """The snapshots of ``REGISTRATIONS`` registered through ``customer_create``, then rolled back."""
    snapshots = []
    with transaction.atomic():
        for data, contact in REGISTRATIONS:
            contacts = [{**contact, "is_primary": True}] if contact else []
            customer = services.customer_create(actor=actor, data=data, contacts=contacts)
            snapshots.append(_snapshot(Customer.objects.get(pk=customer.pk)))
        transaction.set_rollback(True)
    return snapshots


def test_cus_2_cus_9_imported_customers_equal_customers_registered_one_by_one(personas) -> None:
    head = fresh(personas.head)
    expected = _registered_one_by_one(head)
    assert not Customer.objects.exists() and not Customer.history.exists()

    ids, report, _allocation = imports.customer_import_apply(
        actor=head, filename="名单.csv", content=_csv(REGISTRATIONS)
    )

    assert len(report.accepted) == len(REGISTRATIONS) and not report.invalid
    imported = [_snapshot(customer) for customer in Customer.objects.filter(pk__in=ids).order_by("pk")]
    assert imported == expected
    # The search columns are filled (the snapshot compares them; make sure they are not just both empty).
    first = Customer.objects.get(pk=ids[0])
    assert (first.name_normalized, first.phone_normalized) == ("杭州华东机械", "13912345678")
    assert first.name_pinyin.startswith("hangzhouhuadongjixie") and "hz" in first.search_tokens.split()
    # rule: CUS-6 — no owner until allocated; the importer's department; the file named in the version.
    assert (first.owner_id, first.department_id) == (None, personas.domestic.pk)
    version = first.history.get()
    assert (version.history_type, version.history_user_id) == ("+", head.pk)
    assert "名单.csv" in version.history_change_reason
    assert version.history_date is not None
    contact = first.contacts.get()
    assert contact.is_primary and contact.created_at is not None
    assert contact.history.get().history_user_id == head.pk


def test_cus_2_imported_contact_keys_refuse_a_later_registration(personas) -> None:
    head = fresh(personas.head)
    imports.customer_import_apply(actor=head, filename="a.csv", content=_csv(REGISTRATIONS))
    with pytest.raises(BusinessError) as refused:
        services.customer_create(actor=head, data={"name": "别的公司", "phone": "13800001111"})
    assert refused.value.code == "customers.duplicate"
    identity = CustomerIdentity.objects.get(kind="phone", value="13800001111")
    assert identity.contact is not None and identity.contact.name == "王经理"


def test_cus_2_contact_columns_are_checked_per_row(personas) -> None:
    content = (
        HEADER
        + "甲公司,13800000011,公司,,,,,,,,经理,,\n"  # contact details without the contact's name
        + "乙公司,13800000012,公司,,,,,,,赵六,,12ab,\n"  # a bad contact phone
        + "丙公司,13800000013,公司,,,,,,,钱七,,,not-mail\n"  # a bad contact e-mail
        + "丁公司,13800000014,公司,,,,,,,孙八,,13800000011,\n"  # fine: the contact's phone is new
        + "戊公司,13800000015,公司,,,,,,,周九,,13800000014,\n"  # the contact repeats row 5's customer phone
    ).encode()
    report = imports.customer_import_check(actor=fresh(personas.head), filename="a.csv", content=content)
    assert [row.number for row in report.invalid] == [2, 3, 4, 6]
    assert all(row.errors for row in report.invalid)
    with pytest.raises(BusinessError) as refused:
        imports.customer_import_apply(actor=fresh(personas.head), filename="a.csv", content=content)
    assert refused.value.code == "customers.import_rows_invalid"
    assert not Customer.objects.exists() and not Contact.objects.exists() and not CustomerIdentity.objects.exists()


def test_cus_2_a_contact_phone_already_registered_is_a_duplicate_row(personas) -> None:
    services.customer_create(actor=fresh(personas.rep), data={"name": "老客户", "phone": "13700000001"})
    content = (HEADER + "新公司,13800000021,公司,,,,,,,吴十,,137-0000-0001,\n" + "另一家,13800000022,公司\n").encode()
    ids, report, _a = imports.customer_import_apply(actor=fresh(personas.head), filename="a.csv", content=content)
    assert list(Customer.objects.filter(pk__in=ids).values_list("name", flat=True)) == ["另一家"]
    assert [row.number for row in report.duplicates] == [2]
    assert report.duplicates[0].duplicate_key == ("phone", "13700000001")
    assert DuplicateAttempt.objects.get(channel="import").value == "13700000001"


def test_cus_2_key_registered_after_the_check_refuses_the_whole_batch(personas, monkeypatch) -> None:
    """The database, not the check, decides: a key registered meanwhile rolls every row back."""
    head = fresh(personas.head)
    original = imports.mark_duplicates

    def check_then_someone_registers(actor: User, rows: list[imports.ImportRow]) -> None:
        original(actor, rows)
        services.customer_create(actor=fresh(personas.rep), data={"name": "抢先公司", "phone": "13800000002"})

    monkeypatch.setattr(imports, "mark_duplicates", check_then_someone_registers)
    with pytest.raises(BusinessError) as refused:
        imports.customer_import_apply(actor=head, filename="a.csv", content=_csv(REGISTRATIONS))
    assert refused.value.code == "customers.import_changed"
    assert list(Customer.objects.values_list("name", flat=True)) == ["抢先公司"]
    assert CustomerIdentity.objects.count() == 2  # the winner's phone and name
    assert not Contact.objects.exists()
    assert Customer.history.count() == 1 and not Contact.history.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cus_2_import_racing_a_registration_of_the_same_phone_gives_one_customer(personas, monkeypatch) -> None:
    """Both pass their read checks before either writes; the unique key lets exactly one through."""
    barrier = threading.Barrier(2, timeout=20)
    check_import, check_one = imports.mark_duplicates, dedup.raise_if_taken

    def import_checked(actor: User, rows: list[imports.ImportRow]) -> None:
        check_import(actor, rows)
        barrier.wait()

    def one_checked(keys: Any, exclude: int | None = None) -> None:
        check_one(keys, exclude)
        barrier.wait()

    monkeypatch.setattr(imports, "mark_duplicates", import_checked)
    monkeypatch.setattr(dedup, "raise_if_taken", one_checked)
    results: dict[str, object] = {}

    def run(name: str, call: Any) -> None:
        try:
            results[name] = call()
        except BusinessError as error:
            results[name] = error.code
        finally:
            connection.close()

    head, rep = fresh(personas.head), fresh(personas.rep)
    threads = [
        threading.Thread(
            target=run,
            args=(
                "import",
                lambda: imports.customer_import_apply(actor=head, filename="a.csv", content=_csv(REGISTRATIONS)),
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                "one",
                lambda: services.customer_create(actor=rep, data={"name": "同号公司", "phone": "13800000002"}),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert CustomerIdentity.objects.filter(kind="phone", value="13800000002").count() == 1
    if results["one"] == "customers.duplicate":  # the import won: all of it is in
        assert Customer.objects.count() == len(REGISTRATIONS)
    else:  # the registration won: none of the import is in
        assert results["import"] == "customers.import_changed", results
        assert list(Customer.objects.values_list("name", flat=True)) == ["同号公司"]
        assert not Contact.objects.exists()
    assert DuplicateAttempt.objects.count() == (1 if results["one"] == "customers.duplicate" else 0)


def test_cus_2_keys_with_quotes_backslashes_and_braces_are_matched(personas) -> None:
    """The archive look-up sends the keys as array literals on PostgreSQL: every character must survive."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["客户名称", "电话", "邮箱"])
    rows = [
        ("{D},E 公司", '"a\\"b"@example.com'),  # a quoted local part may hold " and \
        ("NULL", '"{c},d\\\\e"@example.com'),
        ("甲公司", "x{y}z@example.com"),
    ]
    for i, (name, email) in enumerate(rows):
        writer.writerow([name, f"1380000{i:04d}", email])
    content = buffer.getvalue().encode()
    head = fresh(personas.head)
    ids, report, _a = imports.customer_import_apply(actor=head, filename="a.csv", content=content)
    assert len(ids) == len(rows), [r.errors for r in report.invalid]
    emails = {value for row in report.accepted for kind, value in row.identity_keys() if kind == "email"}
    assert {'"a\\"b"@example.com', '"{c},d\\\\e"@example.com'} <= emails
    again = imports.customer_import_check(actor=head, filename="a.csv", content=content)
    assert len(again.duplicates) == len(rows)
    assert {row.duplicate.customer_id for row in again.duplicates} == set(ids)
    # Each key on its own finds its customer (not only the phones).
    for kind in ("email", "name"):
        keys = {key for row in report.accepted for key in row.identity_keys() if key[0] == kind}
        assert set(imports._registered(keys)) == keys
