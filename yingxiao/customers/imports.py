"""Customer archive import (客户档案导入): GBK/UTF-8 CSV, .xlsx, .xls — dry run, then apply (CUS-2, CUS-6).

Archives entered centrally (outreach / 科普 lists, purchased lists) arrive without an owner; the
department head or the customer-resource director imports them and then allocates them evenly
(CUS-6, ``allocation.allocation_run``).

``customer_import_check`` is the dry run: every row checked (missing name or phone, a bad phone or
e-mail, over-long text), rows repeating an earlier row of the file, and rows already in the
archive — described per CUS-2 (the owner and department; the customer itself only within the
actor's scope). Nothing is written. ``customer_import_apply`` runs the same check again and writes
the accepted rows — customers, their identity keys, their history — in one transaction, and
optionally allocates them at once in the same transaction: either the whole confirmed batch is in
or nothing is. Rows already registered are never created (first registration wins) and each
refused row is logged as a duplicate attempt (channel "import").

File reading (encodings, Excel formats, size limit) is the telesales import's (``read_rows``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from yingxiao.core.errors import BusinessError, ErrorCode
from yingxiao.org.selectors import primary_department
from yingxiao.telesales import errors as telesales_errors
from yingxiao.telesales.imports import read_rows

from .dedup import DuplicateHit, describe
from .models import Allocation, Customer, CustomerIdentity, DuplicateAttempt
from .normalize import normalize_email, normalize_name, normalize_phone
from .search import search_fields

if TYPE_CHECKING:
    from yingxiao.org.models import User

IMPORT_PERMISSIONS = ("customers.add_customer", "customers.allocate_customer")
MAX_BYTES = getattr(settings, "CUSTOMER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
MAX_ROWS = getattr(settings, "CUSTOMER_IMPORT_MAX_ROWS", 100_000)
_BATCH = 2000

NO_PERMISSION = ErrorCode(
    "customers.import_not_allowed",
    gettext_lazy("Only a department head or the customer-resource director may import customer archives."),
    403,
)
FILE_TOO_LARGE = ErrorCode(
    "customers.import_file_too_large",
    gettext_lazy("The file is too large: at most %(limit)s MB can be imported at once."),
    413,
)
TOO_MANY_ROWS = ErrorCode(
    "customers.import_too_many_rows",
    gettext_lazy("The file has too many rows: at most %(limit)s rows can be imported at once."),
)
BAD_FILE = ErrorCode(
    "customers.import_bad_file",
    gettext_lazy("The file cannot be read: upload an Excel (.xlsx, .xls) or CSV (UTF-8 or GBK) file."),
)
NO_COLUMNS = ErrorCode(
    "customers.import_no_columns",
    gettext_lazy("The first row must name the columns; a customer name column and a phone column are required."),
)
EMPTY_FILE = ErrorCode("customers.import_empty_file", gettext_lazy("The file has no data rows."))
ROWS_INVALID = ErrorCode(
    "customers.import_rows_invalid",
    gettext_lazy("%(count)s rows have errors; fix the file, or choose to skip the rows with errors."),
)
NOTHING_TO_IMPORT = ErrorCode(
    "customers.import_nothing", gettext_lazy("No row can be imported: every row has an error or is already registered.")
)
IMPORT_EXPIRED = ErrorCode(
    "customers.import_expired", gettext_lazy("The checked import has expired; upload the file again.")
)
CHANGED_MEANWHILE = ErrorCode(
    "customers.import_changed",
    gettext_lazy("Some customers of the file were registered meanwhile; check the file again."),
    409,
)

# Column headers understood (lower-cased, spaces removed) → field.
HEADERS = {
    "name": "name", "客户名称": "name", "客户": "name", "名称": "name", "公司名称": "name", "单位名称": "name",
    "姓名": "name", "客户姓名": "name", "公司": "name",
    "phone": "phone", "电话": "phone", "手机": "phone", "手机号": "phone", "联系电话": "phone", "电话号码": "phone",
    "kind": "kind", "类型": "kind", "客户类型": "kind",
    "email": "email", "e-mail": "email", "邮箱": "email", "电子邮件": "email", "电子邮箱": "email",
    "industry": "industry", "行业": "industry",
    "region": "region", "地区": "region", "区域": "region",
    "address": "address", "地址": "address",
    "source": "source", "来源": "source", "客户来源": "source",
    "needs": "needs", "需求": "needs", "备注": "needs", "note": "needs", "notes": "needs",
}  # fmt: skip
_KINDS = {"公司": "company", "企业": "company", "单位": "company", "company": "company",
          "个人": "person", "person": "person"}  # fmt: skip
_FIELDS = ("name", "phone", "kind", "email", "industry", "region", "address", "source", "needs")
_LABELS = {
    "name": gettext_lazy("name"),
    "phone": gettext_lazy("phone"),
    "email": gettext_lazy("e-mail"),
    "industry": gettext_lazy("industry"),
    "region": gettext_lazy("region"),
    "address": gettext_lazy("address"),
    "needs": gettext_lazy("needs"),
}
_FILE_ERRORS = {
    telesales_errors.FILE_TOO_LARGE.code: FILE_TOO_LARGE,
    telesales_errors.BAD_FILE.code: BAD_FILE,
}


@dataclass
class ImportRow:
    """One data row of the file and what the check found."""

    number: int  # the row number in the file (the header is row 1)
    values: dict[str, str]
    kind: str = Customer.Kind.COMPANY
    source: str = Customer.Source.OTHER
    phone_normalized: str = ""
    errors: list[str] = field(default_factory=list)
    duplicate: DuplicateHit | None = None
    duplicate_key: tuple[str, str] | None = None

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def phone(self) -> str:
        return self.values.get("phone", "")

    @property
    def ok(self) -> bool:
        return not self.errors and self.duplicate is None

    def identity_keys(self) -> list[tuple[str, str]]:
        """The identity keys the customer would have (CUS-2), as ``dedup.customer_keys`` makes them."""
        keys = [
            (str(CustomerIdentity.Kind.PHONE), self.phone_normalized),
            (str(CustomerIdentity.Kind.EMAIL), normalize_email(self.values.get("email", ""))),
        ]
        if self.kind == Customer.Kind.COMPANY:
            keys.append((str(CustomerIdentity.Kind.NAME), normalize_name(self.name)))
        return [(kind, value) for kind, value in keys if value]


@dataclass
class ImportReport:
    """The dry-run result: every row, and the counts the page and the API show."""

    rows: list[ImportRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def invalid(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def duplicates(self) -> list[ImportRow]:
        return [row for row in self.rows if row.duplicate is not None and not row.errors]

    @property
    def accepted(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "accepted": len(self.accepted),
            "invalid": len(self.invalid),
            "duplicates": len(self.duplicates),
            "errors": [{"row": r.number, "messages": r.errors} for r in self.invalid],
            "duplicate_rows": [
                {"row": r.number, "kind": r.duplicate.kind, "message": r.duplicate.message}
                for r in self.duplicates
                if r.duplicate is not None
            ],
        }


def can_import(actor: User) -> bool:
    return bool(actor.is_authenticated and all(actor.has_perm(perm) for perm in IMPORT_PERMISSIONS))


def _require(actor: User) -> None:
    if not can_import(actor):
        raise BusinessError(NO_PERMISSION)


# --- reading and row checks (no database) --------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed into Excel comes back as 13800001111.0
    return unicodedata.normalize("NFC", str(value)).strip()


def _rows(filename: str, content: bytes) -> Iterable[list[Any]]:
    if len(content) > MAX_BYTES:
        raise BusinessError(FILE_TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
    try:
        yield from read_rows(filename, content)
    except BusinessError as exc:  # the shared reader's codes, in this import's words
        raise BusinessError(_FILE_ERRORS.get(exc.code, BAD_FILE), limit=MAX_BYTES // (1024 * 1024)) from exc


def _columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADERS.get(_cell(title).lower().replace(" ", ""))
        if key and key not in columns:
            columns[key] = index
    if "name" not in columns or "phone" not in columns:
        raise BusinessError(NO_COLUMNS)
    return columns


def _limit(name: str) -> int:
    return Customer._meta.get_field(name).max_length or 0


def _validate(row: ImportRow) -> None:
    values = row.values
    if not row.name:
        row.errors.append(_("Customer name is missing."))
    if not row.phone:
        row.errors.append(_("Phone is missing."))
    else:
        row.phone_normalized = normalize_phone(row.phone)
        digits = row.phone_normalized.lstrip("+")
        if not digits.isdigit() or not 5 <= len(digits) <= 15:
            row.errors.append(_("Phone %(phone)s is not a valid phone number.") % {"phone": row.phone[:40]})
    email = values.get("email", "")
    if email:
        email = unicodedata.normalize("NFKC", email)
        values["email"] = email
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("E-mail %(email)s is not a valid address.") % {"email": email[:60]})
    kind = values.get("kind", "")
    if kind:
        if kind.lower() not in _KINDS:
            row.errors.append(_("Type must be 公司 (company) or 个人 (person), not %(value)s.") % {"value": kind[:20]})
        else:
            row.kind = _KINDS[kind.lower()]
    source = values.get("source", "")
    if source:
        sources = {str(label): value for value, label in Customer.Source.choices} | {
            value: value for value in Customer.Source.values
        }
        if source not in sources:
            row.errors.append(_("Unknown source: %(value)s.") % {"value": source[:40]})
        else:
            row.source = sources[source]
    for key, label in _LABELS.items():
        limit = 4000 if key == "needs" else _limit(key)
        if len(values.get(key, "")) > limit:
            row.errors.append(_("%(column)s is longer than %(limit)s characters.") % {"column": label, "limit": limit})


def parse(filename: str, content: bytes) -> list[ImportRow]:
    """Parsed and validated rows, repeats within the file marked — no database reads."""
    with_header = iter(_rows(filename, content))
    header = next(with_header, None)
    if header is None:
        raise BusinessError(EMPTY_FILE)
    columns = _columns(header)
    results: list[ImportRow] = []
    first_row: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(with_header, start=2):
        values = {key: _cell(raw[index]) if index < len(raw) else "" for key, index in columns.items()}
        if not any(values.values()):
            continue
        if len(results) >= MAX_ROWS:
            raise BusinessError(TOO_MANY_ROWS, limit=MAX_ROWS)
        row = ImportRow(number=number, values=values)
        _validate(row)
        if not row.errors:
            # rule: CUS-2 — within the file too, the first row wins; a later repeat is refused.
            for key in row.identity_keys():
                earlier = first_row.setdefault(key, row.number)
                if earlier != row.number:
                    row.errors.append(_("The same customer is already on row %(row)s.") % {"row": earlier})
                    break
        results.append(row)
    if not results:
        raise BusinessError(EMPTY_FILE)
    return results


# --- duplicates against the archive (CUS-2) -------------------------------------------------------


def mark_duplicates(actor: User, rows: list[ImportRow]) -> None:
    """rule: CUS-2 — keys already registered, described as far as the actor may see the customer."""
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row.errors:
            continue
        for kind, value in row.identity_keys():
            wanted.setdefault(kind, set()).add(value)
    found: dict[tuple[str, str], CustomerIdentity] = {}
    for kind, values in wanted.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), _BATCH):
            batch = ordered[start : start + _BATCH]
            identities = CustomerIdentity.objects.filter(kind=kind, value__in=batch).select_related(
                "customer", "customer__owner", "customer__department"
            )
            for identity in identities:
                found[(identity.kind, identity.value)] = identity
    if not found:
        return
    hits = {hit.customer_id: hit for hit in describe(actor, found.values())}
    for row in rows:
        if row.errors:
            continue
        for key in row.identity_keys():  # phone first, then e-mail, then name (dedup's order)
            identity = found.get(key)
            if identity is not None:
                row.duplicate = hits.get(identity.customer_id)
                row.duplicate_key = key
                break


# --- the two steps --------------------------------------------------------------------------------


def customer_import_check(*, actor: User, filename: str, content: bytes) -> ImportReport:
    """The dry run: every row checked, duplicates described; nothing is written."""
    _require(actor)
    rows = parse(filename, content)
    mark_duplicates(actor, rows)
    return ImportReport(rows)


def _customer(row: ImportRow, actor: User, department: Any, now: Any) -> Customer:
    values = row.values
    customer = Customer(
        name=row.name,
        kind=row.kind,
        phone=row.phone,
        email=values.get("email", ""),
        industry=values.get("industry", ""),
        region=values.get("region", ""),
        address=values.get("address", ""),
        source=row.source,
        needs=values.get("needs", ""),
        owner=None,  # rule: CUS-6 — central archives start without an owner, to be allocated
        department=department,
        registered_by=actor,
        registered_at=now,
    )
    for name, value in search_fields(customer.name, customer.phone).items():
        setattr(customer, name, value)
    return customer


def customer_import_apply(
    *,
    actor: User,
    filename: str,
    content: bytes,
    skip_invalid: bool = False,
    allocate_to: Iterable[User] = (),
    note: str = "",
) -> tuple[list[int], ImportReport, Allocation | None]:
    """Check again, then create every accepted row in one transaction; optionally allocate them (CUS-6).

    Rows with errors refuse the whole import unless ``skip_invalid``; rows already registered are
    not created and are logged as refused attempts. A customer registered meanwhile by someone
    else (the unique identity key refuses it) rolls the whole batch back.
    """
    _require(actor)
    report = customer_import_check(actor=actor, filename=filename, content=content)
    if report.invalid and not skip_invalid:
        raise BusinessError(ROWS_INVALID, count=len(report.invalid))
    accepted = report.accepted
    if not accepted:
        raise BusinessError(NOTHING_TO_IMPORT)
    staff = list(allocate_to)
    department = primary_department(actor)
    now = timezone.now()
    allocation = None
    try:
        with transaction.atomic():
            customers = [_customer(row, actor, department, now) for row in accepted]
            created = bulk_create_with_history(
                customers,
                Customer,
                batch_size=_BATCH,
                default_user=actor,
                default_change_reason=_("Imported from %(file)s") % {"file": filename[:100]},
            )
            if any(customer.pk is None for customer in created):  # backends without RETURNING
                created = list(Customer.objects.filter(registered_by=actor, registered_at=now).order_by("pk"))
            identities = [
                CustomerIdentity(customer=customer, kind=kind, value=value)
                for customer, row in zip(created, accepted, strict=True)
                for kind, value in row.identity_keys()
            ]
            # rule: CUS-2 — the unique (kind, value) constraint decides a race: the whole batch is refused.
            CustomerIdentity.objects.bulk_create(identities, batch_size=_BATCH)
            ids = [customer.pk for customer in created]
            if staff:
                from .allocation import allocation_run

                allocation = allocation_run(actor=actor, customers=ids, staff=staff, note=note)
    except IntegrityError as exc:
        raise BusinessError(CHANGED_MEANWHILE) from exc
    _log_refusals(actor, report.duplicates)
    return ids, report, allocation


def _log_refusals(actor: User, rows: list[ImportRow]) -> None:
    """rule: CUS-2 — every refused registration is logged, the import's too."""
    attempts = [
        DuplicateAttempt(
            attempted_by=actor,
            existing_id=row.duplicate.customer_id,
            kind=row.duplicate_key[0],
            value=row.duplicate_key[1],
            channel=DuplicateAttempt.Channel.IMPORT,
            submitted={"row": row.number, **row.values},
        )
        for row in rows
        if row.duplicate is not None and row.duplicate_key is not None
    ]
    if attempts:
        DuplicateAttempt.objects.bulk_create(attempts, batch_size=_BATCH)
