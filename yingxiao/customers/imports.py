"""Customer archive import (客户档案导入): GBK/UTF-8 CSV, .xlsx, .xls — dry run, then apply (CUS-2, CUS-6).

Archives entered centrally (outreach / 科普 lists, purchased lists) arrive without an owner; the
department head or the customer-resource director imports them and then allocates them evenly
(CUS-6, ``allocation.allocation_run``).

``customer_import_check`` is the dry run: every row checked (missing name or phone, a bad phone or
e-mail, over-long text, contact details without a contact name), rows repeating an earlier row of
the file, and rows already in the archive — described per CUS-2 (the owner and department; the
customer itself only within the actor's scope). Nothing is written. ``customer_import_apply`` runs
the same check again and writes the accepted rows in one transaction — exactly what registering
them one by one writes (``imports_write``): the customer with its search columns, its contact
person when the file names one, their first versions (CUS-9) and their identity keys (CUS-2) —
and optionally allocates them at once in the same transaction: either the whole confirmed batch is
in or nothing is. Rows already registered are never created (first registration wins) and each
refused row is logged as a duplicate attempt (channel "import").

File reading (encodings, Excel formats, size limit) is the telesales import's (``read_rows``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingxiao.core.errors import BusinessError, ErrorCode
from yingxiao.org.selectors import primary_department
from yingxiao.telesales import errors as telesales_errors
from yingxiao.telesales.imports import read_rows

from . import imports_write
from .dedup import DuplicateHit, Key, describe
from .models import Allocation, Contact, Customer, CustomerIdentity, DuplicateAttempt
from .normalize import normalize_email, normalize_name, normalize_phone

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
    # The first contact person, as on the registration form (one-by-one creation).
    "联系人": "contact_name", "联系人姓名": "contact_name", "contact": "contact_name",
    "contactperson": "contact_name", "contactname": "contact_name",
    "职务": "contact_title", "职位": "contact_title", "联系人职务": "contact_title", "contacttitle": "contact_title",
    "联系人电话": "contact_phone", "联系人手机": "contact_phone", "contactphone": "contact_phone",
    "联系人邮箱": "contact_email", "contactemail": "contact_email", "contacte-mail": "contact_email",
}  # fmt: skip
_KINDS = {"公司": "company", "企业": "company", "单位": "company", "company": "company",
          "个人": "person", "person": "person"}  # fmt: skip
_SOURCES = {str(value): str(value) for value in Customer.Source.values}
# Column → (label, the model field whose max_length applies).
_LENGTHS = {
    "name": (gettext_lazy("name"), Customer, "name"),
    "phone": (gettext_lazy("phone"), Customer, "phone"),
    "email": (gettext_lazy("e-mail"), Customer, "email"),
    "industry": (gettext_lazy("industry"), Customer, "industry"),
    "region": (gettext_lazy("region"), Customer, "region"),
    "address": (gettext_lazy("address"), Customer, "address"),
    "needs": (gettext_lazy("needs"), Customer, "needs"),
    "contact_name": (gettext_lazy("contact person"), Contact, "name"),
    "contact_title": (gettext_lazy("contact title"), Contact, "title"),
    "contact_phone": (gettext_lazy("contact phone"), Contact, "phone"),
    "contact_email": (gettext_lazy("contact e-mail"), Contact, "email"),
}
_CONTACT_DETAILS = ("contact_title", "contact_phone", "contact_email")
_FILE_ERRORS = {
    telesales_errors.FILE_TOO_LARGE.code: FILE_TOO_LARGE,
    telesales_errors.BAD_FILE.code: BAD_FILE,
}


@dataclass(slots=True)
class ImportRow:
    """One data row of the file and what the check found."""

    number: int  # the row number in the file (the header is row 1)
    values: dict[str, str]
    kind: str = Customer.Kind.COMPANY
    source: str = Customer.Source.OTHER
    phone_normalized: str = ""
    errors: list[str] = field(default_factory=list)
    duplicate: DuplicateHit | None = None
    duplicate_key: Key | None = None
    # The identity keys (CUS-2) → whether the key is the contact person's only (None: not computed).
    keys: dict[Key, bool] | None = None

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def phone(self) -> str:
        return self.values.get("phone", "")

    @property
    def ok(self) -> bool:
        return not self.errors and self.duplicate is None

    def identity_keys(self) -> list[Key]:
        """The keys the customer would have (CUS-2), as ``dedup.desired_keys`` makes them, in that order."""
        return list(self.key_sources())

    def key_sources(self) -> dict[Key, bool]:
        """The identity keys → True for a key only the contact person brings (its identity row names the contact)."""
        if self.keys is None:
            self.keys = _keys(self)
        return self.keys

    def customer_fields(self) -> dict[str, str]:
        """The customer's fields from the file (everything else: the model's defaults)."""
        values = self.values
        return {
            "name": self.name,
            "kind": str(self.kind),
            "phone": self.phone,
            "email": values.get("email", ""),
            "industry": values.get("industry", ""),
            "region": values.get("region", ""),
            "address": values.get("address", ""),
            "source": str(self.source),
            "needs": values.get("needs", ""),
        }

    def contact_fields(self) -> dict[str, Any] | None:
        """The first contact person, as the registration form gives it (primary), or None."""
        values = self.values
        if not values.get("contact_name"):
            return None
        return {
            "name": values["contact_name"],
            "title": values.get("contact_title", ""),
            "phone": values.get("contact_phone", ""),
            "email": values.get("contact_email", ""),
            "is_primary": True,
        }


def _keys(row: ImportRow) -> dict[Key, bool]:
    """rule: CUS-2 — the customer's own keys first, then its contact's (``dedup.desired_keys``)."""
    customer_keys = [
        (str(CustomerIdentity.Kind.PHONE), row.phone_normalized),
        (str(CustomerIdentity.Kind.EMAIL), normalize_email(row.values.get("email", ""))),
    ]
    if row.kind == Customer.Kind.COMPANY:
        customer_keys.append((str(CustomerIdentity.Kind.NAME), normalize_name(row.name)))
    keys = {key: False for key in customer_keys if key[1]}
    contact = row.contact_fields()
    if contact is not None:
        contact_keys = [
            (str(CustomerIdentity.Kind.PHONE), normalize_phone(contact["phone"])),
            (str(CustomerIdentity.Kind.EMAIL), normalize_email(contact["email"])),
        ]
        for key in contact_keys:
            if key[1]:
                keys.setdefault(key, True)
    return keys


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


@cache
def _limit(key: str) -> int:
    _label, model, name = _LENGTHS[key]
    return model._meta.get_field(name).max_length or 0


def _phone_error(raw: str, normalized: str) -> str | None:
    digits = normalized.lstrip("+")
    if not digits.isdigit() or not 5 <= len(digits) <= 15:
        return _("Phone %(phone)s is not a valid phone number.") % {"phone": raw[:40]}
    return None


def _email_error(values: dict[str, str], key: str) -> str | None:
    email = values.get(key, "")
    if not email:
        return None
    email = unicodedata.normalize("NFKC", email)  # full-width ＠ typed on a Chinese keyboard
    values[key] = email
    try:
        validate_email(email)
    except ValidationError:
        return _("E-mail %(email)s is not a valid address.") % {"email": email[:60]}
    return None


def _validate(row: ImportRow) -> None:
    """The checks one-by-one registration makes (CUS-1, the form, the model), in the file's words."""
    values = row.values
    errors = row.errors
    if not row.name:
        errors.append(_("Customer name is missing."))
    if not row.phone:
        errors.append(_("Phone is missing."))
    else:
        row.phone_normalized = normalize_phone(row.phone)
        if error := _phone_error(row.phone, row.phone_normalized):
            errors.append(error)
    if error := _email_error(values, "email"):
        errors.append(error)
    kind = values.get("kind", "")
    if kind:
        if kind.lower() not in _KINDS:
            errors.append(_("Type must be 公司 (company) or 个人 (person), not %(value)s.") % {"value": kind[:20]})
        else:
            row.kind = _KINDS[kind.lower()]
    source = values.get("source", "")
    if source:
        sources = _sources()
        if source not in sources:
            errors.append(_("Unknown source: %(value)s.") % {"value": source[:40]})
        else:
            row.source = sources[source]
    if any(values.get(key) for key in _CONTACT_DETAILS) and not values.get("contact_name"):
        errors.append(_("Enter the contact person's name."))
    contact_phone = values.get("contact_phone", "")
    if contact_phone and (error := _phone_error(contact_phone, normalize_phone(contact_phone))):
        errors.append(error)
    if error := _email_error(values, "contact_email"):
        errors.append(error)
    for key, (label, _model, _name) in _LENGTHS.items():
        limit = _limit(key)
        if len(values.get(key, "")) > limit:
            errors.append(_("%(column)s is longer than %(limit)s characters.") % {"column": label, "limit": limit})


def _sources() -> dict[str, str]:
    """A source by its label in the current language, or by its code."""
    return {str(label): value for value, label in Customer.Source.choices} | _SOURCES


def parse(filename: str, content: bytes) -> list[ImportRow]:
    """Parsed and validated rows, repeats within the file marked — no database reads."""
    with_header = iter(_rows(filename, content))
    header = next(with_header, None)
    if header is None:
        raise BusinessError(EMPTY_FILE)
    columns = list(_columns(header).items())
    results: list[ImportRow] = []
    first_row: dict[Key, int] = {}
    for number, raw in enumerate(with_header, start=2):
        width = len(raw)
        values = {key: _cell(raw[index]) if index < width else "" for key, index in columns}
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


def _text_array(values: Iterable[str]) -> str:
    """A PostgreSQL text[] literal: every element quoted, ``\\`` and ``"`` escaped.

    ~200,000 keys (100,000 rows) as one string: a fraction of the time the driver takes to adapt
    a Python list of that size element by element.
    """
    return "{" + ",".join('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values) + "}"


def _registered(keys: set[Key]) -> dict[Key, int]:
    """The identity id of every key already registered.

    PostgreSQL: one statement, the keys as two text arrays probed against the unique (kind, value)
    index; elsewhere batches of ``IN`` lists per kind.
    """
    if not keys:
        return {}
    if connection.vendor == "postgresql":
        kinds, values = zip(*keys, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT i.kind, i.value, i.id FROM {CustomerIdentity._meta.db_table} i "  # noqa: S608 - model name
                "JOIN unnest(%s::text[], %s::text[]) AS k(kind, value) ON i.kind = k.kind AND i.value = k.value",
                [_text_array(kinds), _text_array(values)],
            )
            return {(kind, value): pk for kind, value, pk in cursor.fetchall()}
    wanted: dict[str, list[str]] = {}
    for kind, value in sorted(keys):
        wanted.setdefault(kind, []).append(value)
    found: dict[Key, int] = {}
    for kind, values_of_kind in wanted.items():
        for start in range(0, len(values_of_kind), _BATCH):
            batch = values_of_kind[start : start + _BATCH]
            for value, pk in CustomerIdentity.objects.filter(kind=kind, value__in=batch).values_list("value", "pk"):
                found[(kind, value)] = pk
    return found


def mark_duplicates(actor: User, rows: list[ImportRow]) -> None:
    """rule: CUS-2 — keys already registered, described as far as the actor may see the customer."""
    checked = [row for row in rows if not row.errors]
    found = _registered({key for row in checked for key in row.identity_keys()})
    if not found:
        return
    first: list[tuple[ImportRow, Key, int]] = []
    for row in checked:
        # Phone first, then e-mail, then name (dedup's order), the customer's own keys before the contact's.
        for key in row.identity_keys():
            if key in found:
                first.append((row, key, found[key]))
                break
    used = sorted({pk for _row, _key, pk in first})
    identities: list[CustomerIdentity] = []
    for start in range(0, len(used), _BATCH):
        identities += CustomerIdentity.objects.filter(pk__in=used[start : start + _BATCH]).select_related(
            "customer", "customer__owner", "customer__department"
        )
    by_pk = {identity.pk: identity for identity in identities}
    hits = {hit.customer_id: hit for hit in describe(actor, identities)}
    for row, key, pk in first:
        row.duplicate = hits.get(by_pk[pk].customer_id)
        row.duplicate_key = key


# --- the two steps --------------------------------------------------------------------------------


def customer_import_check(*, actor: User, filename: str, content: bytes) -> ImportReport:
    """The dry run: every row checked, duplicates described; nothing is written."""
    _require(actor)
    rows = parse(filename, content)
    mark_duplicates(actor, rows)
    return ImportReport(rows)


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
    allocation = None
    try:
        with transaction.atomic():
            # rule: CUS-2 — the unique (kind, value) constraint decides a race: the whole batch is refused.
            ids = imports_write.customers_create_many(
                actor=actor,
                rows=accepted,
                department=primary_department(actor),  # rule: CUS-6 — no owner until allocated
                reason=_("Imported from %(file)s") % {"file": filename[:100]},
            )
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
