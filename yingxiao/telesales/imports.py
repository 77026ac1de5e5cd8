"""Call-list import (TEL-1): read CSV (UTF-8 or GBK), .xlsx or .xls; check every row; apply atomically.

``call_list_check`` is the dry run: per-row errors in the user's language (bad phone, missing
name), rows repeated in the file, and numbers or companies already in the customer archive,
described per CUS-2 (the owner's name and department; the customer itself only within the
actor's scope). ``call_list_import`` runs the same check and then writes the list and all its
entries in one transaction — either every accepted row is imported or none is.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingxiao.core.errors import BusinessError
from yingxiao.customers.dedup import DuplicateHit, describe
from yingxiao.customers.models import CustomerIdentity
from yingxiao.customers.normalize import normalize_name, normalize_phone
from yingxiao.org.selectors import primary_department

from . import errors
from .models import CallEntry, CallList

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from yingxiao.org.models import User

MAX_BYTES = getattr(settings, "TELESALES_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
MAX_ROWS = getattr(settings, "TELESALES_IMPORT_MAX_ROWS", 100_000)
_BATCH = 2000  # rows per bulk insert, and keys per lookup where the database takes no array parameter
_PG_BATCH = 20_000  # keys per lookup on PostgreSQL: one array parameter (``= ANY(%s)``), not 20,000 placeholders
_DECODE_CHUNK = 1 << 20

# Column headers understood (lower-cased, spaces removed) → field.
HEADERS = {
    "name": "name", "姓名": "name", "客户姓名": "name", "联系人": "name", "名称": "name",
    "phone": "phone", "电话": "phone", "手机": "phone", "手机号": "phone", "联系电话": "phone", "电话号码": "phone",
    "company": "company", "公司": "company", "单位": "company", "公司名称": "company",
    "note": "note", "备注": "note", "notes": "note",
}  # fmt: skip
_LIMITS = {"name": 100, "phone": 40, "company": 200, "note": 500}
_LABELS = {
    "name": gettext_lazy("name"),
    "phone": gettext_lazy("phone"),
    "company": gettext_lazy("company"),
    "note": gettext_lazy("note"),
}


@dataclass(slots=True)  # slots: 100,000 of them stay in memory until the report is shown
class RowResult:
    """One data row of the file and what the check found."""

    number: int  # the row number in the file (the header is row 1)
    name: str
    phone: str
    company: str = ""
    note: str = ""
    phone_normalized: str = ""
    errors: list[str] = field(default_factory=list)
    duplicate: DuplicateHit | None = None
    repeated_row: int | None = None  # the earlier row of the file with the same number

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    """The dry-run result: every row, and the counts the page and the API show."""

    rows: list[RowResult]

    @property
    def total(self) -> int:
        return len(self.rows)

    # Cached: the page, the API and the apply step each ask several times over 100,000 rows.
    @cached_property
    def invalid(self) -> list[RowResult]:
        return [row for row in self.rows if row.errors]

    @cached_property
    def duplicates(self) -> list[RowResult]:
        return [row for row in self.rows if row.duplicate is not None]

    @property
    def valid_count(self) -> int:
        return self.total - len(self.invalid)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "valid": self.valid_count,
            "invalid": len(self.invalid),
            "duplicates": len(self.duplicates),
            "errors": [{"row": r.number, "messages": r.errors} for r in self.invalid],
            "duplicate_rows": [
                {"row": r.number, "kind": r.duplicate.kind, "message": r.duplicate.message}
                for r in self.duplicates
                if r.duplicate is not None
            ],
        }


# --- reading --------------------------------------------------------------------------------
def _encoding(content: bytes) -> str:
    """UTF-8 (with or without BOM) or else GBK (gb18030), checked chunk by chunk without keeping the text."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(content), _DECODE_CHUNK):
                decoder.decode(content[start : start + _DECODE_CHUNK])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise BusinessError(errors.BAD_FILE, detail=_("The text encoding is neither UTF-8 nor GBK."))


def _csv_rows(content: bytes) -> Iterator[list[Any]]:
    encoding = _encoding(content)
    # UTF-8 and GB18030 never use a zero byte inside a multi-byte character: a NUL byte is a NUL character.
    if b"\x00" in content:
        raise BusinessError(errors.BAD_FILE, detail="")
    # Streamed: the file is decoded as the reader goes, never held as one string (memory stays bounded).
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    try:
        yield from csv.reader(text)
    except csv.Error as exc:
        raise BusinessError(errors.BAD_FILE, detail=str(exc)) from exc


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise BusinessError(errors.BAD_FILE, detail="") from exc
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def xls_rows(content: bytes) -> Iterator[list[Any]]:
    """Rows of the first sheet of an .xls (or .xlsx) workbook, read with python-calamine."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for a damaged file
        raise BusinessError(errors.BAD_FILE, detail="") from exc
    yield from (list(row) for row in rows)


def read_rows(filename: str, content: bytes) -> Iterator[list[Any]]:
    """The rows of an uploaded file, by its content (zip → xlsx, OLE → xls) or else its extension."""
    if len(content) > MAX_BYTES:
        raise BusinessError(errors.FILE_TOO_LARGE, limit=MAX_BYTES // (1024 * 1024))
    name = filename.lower()
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_rows(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return xls_rows(content)
    if name.endswith((".xlsx", ".xls")):
        raise BusinessError(errors.BAD_FILE, detail="")
    return _csv_rows(content)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed into Excel comes back as 13800001111.0
    return str(value).strip()


def _columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADERS.get(_cell(title).lower().replace(" ", ""))
        if key and key not in columns:
            columns[key] = index
    if "name" not in columns or "phone" not in columns:
        raise BusinessError(errors.NO_COLUMNS)
    return columns


def _text(raw: list[Any], index: int | None) -> str:
    if index is None or index >= len(raw):
        return ""
    value = raw[index]
    # CSV cells are always str: strip them directly; Excel cells go through _cell (numbers, None).
    return value.strip() if type(value) is str else _cell(value)


def parse(filename: str, content: bytes) -> list[RowResult]:
    """Parsed and validated rows (name, phone, lengths, repeats in the file) — no database reads."""
    rows = read_rows(filename, content)
    header = next(rows, None)
    if header is None:
        raise BusinessError(errors.EMPTY_FILE)
    columns = _columns(header)
    name_at, phone_at = columns["name"], columns["phone"]
    company_at, note_at = columns.get("company"), columns.get("note")
    results: list[RowResult] = []
    first_row: dict[str, int] = {}
    width = max(name_at, phone_at, company_at or 0, note_at or 0) + 1
    for number, raw in enumerate(rows, start=2):
        if len(raw) >= width and type(raw[name_at]) is str and type(raw[phone_at]) is str:
            # The common case (a CSV row with every column): plain string cells, stripped in place.
            name, phone = raw[name_at].strip(), raw[phone_at].strip()
            company = _text(raw, company_at) if company_at is not None else ""
            note = _text(raw, note_at) if note_at is not None else ""
        else:
            name, phone = _text(raw, name_at), _text(raw, phone_at)
            company, note = _text(raw, company_at), _text(raw, note_at)
        if not (name or phone or company or note):
            continue
        if len(results) >= MAX_ROWS:
            raise BusinessError(errors.TOO_MANY_ROWS, limit=MAX_ROWS)
        row = RowResult(number=number, name=name, phone=phone, company=company, note=note)
        _validate(row, first_row)
        results.append(row)
    if not results:
        raise BusinessError(errors.EMPTY_FILE)
    return results


def _validate(row: RowResult, first_row: dict[str, int]) -> None:
    if not row.name:
        row.errors.append(_("Name is missing."))
    if not row.phone:
        row.errors.append(_("Phone is missing."))
    else:
        row.phone_normalized = normalize_phone(row.phone)
        digits = row.phone_normalized.lstrip("+")
        if not digits.isdigit() or not 7 <= len(digits) <= 15:
            row.errors.append(_("Phone %(phone)s is not a valid phone number.") % {"phone": row.phone[:40]})
    if (
        len(row.name) > _LIMITS["name"]
        or len(row.phone) > _LIMITS["phone"]
        or len(row.company) > _LIMITS["company"]
        or len(row.note) > _LIMITS["note"]
    ):
        lengths = {"name": len(row.name), "phone": len(row.phone), "company": len(row.company), "note": len(row.note)}
        for key, limit in _LIMITS.items():
            if lengths[key] > limit:
                row.errors.append(
                    _("%(column)s is longer than %(limit)s characters.") % {"column": _LABELS[key], "limit": limit}
                )
    if row.phone_normalized and not row.errors:
        earlier = first_row.setdefault(row.phone_normalized, row.number)
        if earlier != row.number:
            row.repeated_row = earlier
            row.errors.append(_("The same phone number is already on row %(row)s.") % {"row": earlier})


# --- duplicates against the archive (CUS-2) ----------------------------------------------------
def _batches(values: list[Any], size: int = _BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _in(queryset: QuerySet[Any], column: str, values: list[Any]) -> QuerySet[Any]:
    """``column IN values`` — on PostgreSQL as ``= ANY(%s)`` with one array parameter.

    20,000 placeholders cost more to build and send than the index lookups themselves.
    """
    if connections[queryset.db].vendor == "postgresql":
        table = queryset.model._meta.db_table
        # Safe: the table and column come from the model, the values are one bound parameter.
        return queryset.extra(where=[f'"{table}"."{column}" = ANY(%s)'], params=[values])  # noqa: S610
    return queryset.filter(**{f"{column}__in": values})


def _lookup_size(queryset: QuerySet[Any]) -> int:
    return _PG_BATCH if connections[queryset.db].vendor == "postgresql" else _BATCH


def _identity_ids(kind: str, values: set[str]) -> dict[str, int]:
    """value → identity id of the keys already registered: one indexed query per batch, no model rows."""
    found: dict[str, int] = {}
    base = CustomerIdentity.objects.filter(kind=kind)
    for batch in _batches(sorted(values), _lookup_size(base)):
        found.update(_in(base, "value", batch).values_list("value", "pk"))
    return found


def mark_duplicates(actor: User, rows: list[RowResult]) -> None:
    """rule: CUS-2 — phone (and company name) keys already registered, described as the actor may see them.

    Set-based: the keys of all rows are looked up in batches (phones first; a company name is only
    normalised and looked up for rows whose phone is new), then only the matched identities are loaded
    with their customer, owner and department for ``describe``.
    """
    candidates = [row for row in rows if row.ok]
    by_phone = _identity_ids(str(CustomerIdentity.Kind.PHONE), {row.phone_normalized for row in candidates})
    company_keys: dict[int, str] = {}  # row number → normalised company name
    for row in candidates:
        if row.company and row.phone_normalized not in by_phone:
            key = normalize_name(row.company)
            if key:
                company_keys[row.number] = key
    by_name = _identity_ids(str(CustomerIdentity.Kind.NAME), set(company_keys.values()))
    if not by_phone and not by_name:
        return
    # Phones first, each kind by value: the order describe() sees them in (first identity per customer wins).
    order = [by_phone[v] for v in sorted(by_phone)] + [by_name[v] for v in sorted(by_name)]
    loaded: dict[int, CustomerIdentity] = {}
    # Only what ``describe`` reads: a customer row carries its search columns (tokens, pinyin), and
    # tens of thousands of matches would load and build every one of them.
    base = CustomerIdentity.objects.select_related("customer", "customer__owner", "customer__department").only(
        "kind",
        "value",
        "customer_id",
        "customer__name",
        "customer__owner_id",
        "customer__department_id",
        "customer__owner__display_name",
        "customer__owner__username",
        "customer__department__name",
    )
    for batch in _batches(order, _lookup_size(base)):
        loaded.update((identity.pk, identity) for identity in _in(base, "id", batch))
    identities = [loaded[pk] for pk in order if pk in loaded]
    customer_of = {identity.pk: identity.customer_id for identity in identities}
    hits = {hit.customer_id: hit for hit in describe(actor, identities)}
    for row in candidates:
        identity_id = by_phone.get(row.phone_normalized)
        if identity_id is None and row.number in company_keys:
            identity_id = by_name.get(company_keys[row.number])
        if identity_id is not None and identity_id in customer_of:
            row.duplicate = hits.get(customer_of[identity_id])


# --- the two steps ------------------------------------------------------------------------------
def _require(actor: User) -> None:
    if not actor.has_perm("telesales.add_calllist"):
        raise BusinessError(errors.NO_PERMISSION)


def call_list_check(*, actor: User, filename: str, content: bytes) -> ImportReport:
    """rule: TEL-1 — the dry run: nothing is written."""
    _require(actor)
    rows = parse(filename, content)
    mark_duplicates(actor, rows)
    return ImportReport(rows)


def call_list_import(
    *,
    actor: User,
    filename: str,
    content: bytes,
    name: str,
    agent: User | None = None,
    script: str = "",
    source: str = "",
    skip_invalid: bool = False,
) -> tuple[CallList, ImportReport]:
    """rule: TEL-1 — check again, then create the list and every accepted entry in one transaction.

    Rows with errors refuse the whole import unless ``skip_invalid``; rows already in the archive
    are imported excluded, with the duplicate as the reason (CUS-2: first registration wins).
    """
    _require(actor)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise BusinessError(errors.REQUIRED, field="name", field_name=_("name"))
    report = call_list_check(actor=actor, filename=filename, content=content)
    if report.invalid and not skip_invalid:
        raise BusinessError(errors.ROWS_INVALID, count=len(report.invalid))
    agent = agent or actor
    department = primary_department(agent)
    with transaction.atomic():
        call_list = CallList.objects.create(
            name=name,
            source=source[:120],
            script=script[:8000],
            owner=agent,
            department=department,
            created_by=actor,
        )
        _write_entries(call_list, (row for row in report.rows if row.ok), agent, department)
    return call_list, report


def _entry_values(call_list: CallList, row: RowResult, agent: User, department: Any) -> dict[str, Any]:
    duplicate = row.duplicate
    return {
        "call_list_id": call_list.pk,
        "row_number": row.number,
        "name": row.name,
        "phone": row.phone,
        "phone_normalized": row.phone_normalized,
        "company": row.company,
        "note": row.note,
        "agent_id": agent.pk,
        "department_id": department.pk if department is not None else None,
        "status": str(CallEntry.Status.EXCLUDED if duplicate else CallEntry.Status.NEW),
        "exclusion_reason": duplicate.message[:500] if duplicate else "",
        "duplicate_of_id": duplicate.customer_id if duplicate else None,
    }


def _write_entries(call_list: CallList, rows: Iterable[RowResult], agent: User, department: Any) -> None:
    """The accepted rows as entries, inside the caller's transaction.

    PostgreSQL: one ``COPY`` stream (no model instances, no 100,000-row statement); elsewhere
    ``bulk_create`` in batches. Either way no signals run (as with ``bulk_create``), the fields
    not given get their model defaults, and memory stays bounded.
    """
    connection = connections[CallEntry.objects.db]
    if connection.vendor != "postgresql":
        rows = iter(rows)
        while batch := [CallEntry(**_entry_values(call_list, row, agent, department)) for row in islice(rows, _BATCH)]:
            CallEntry.objects.bulk_create(batch)
        return
    fields = [f for f in CallEntry._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    quote = connection.ops.quote_name
    sql = f"COPY {quote(CallEntry._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = defaults | _entry_values(call_list, row, agent, department)
            copy.write_row([values[f.attname] for f in fields])
