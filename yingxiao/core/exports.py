"""The one export helper every list uses (ARC-2): permission, caps, log, formula escaping, streaming.

A list view hands its scoped queryset (or rows) and its columns to ``export_response``::

    from yingxiao.core.exports import Column, export_view

    def complaint_export_view(request):
        filterset = _visible(request)
        return export_view(
            request,
            list_name="service.complaints",
            rows=filterset.qs,
            columns=[Column(_("Number"), "pk"), Column(_("Customer"), "customer.name")],
            filename="complaints",
        )

What every export goes through, in this order (nothing is written before all checks pass):

1. **Permission** — one permission for all lists, ``archives.export_data`` (导出数据, on
   ``archives.ExportLog``): exporting is a right of its own, separate from reading the list
   (a rep who may *see* their customers may not take them home as a file). Callers that want a
   stricter, list-specific right pass ``permission=``; the list's own view permission is checked by
   the caller, whose queryset is already scoped (ORG-5).
2. **Per-file cap** — more rows than ``export_max_rows_per_file`` is refused (narrow the filter).
3. **Per-hour cap** — the rows this user exported in the last 60 minutes plus this file may not
   exceed ``export_max_rows_per_hour``.
4. **Log** — one ``archives.ExportLog`` row: who, when, which list, the filter used (the query
   string), the row count, the format. A refused export is logged too (status ``refused`` with
   the error code) as an audit of denials; refused rows never count towards the hourly cap.
5. **Write** — every text cell that a spreadsheet would read as a formula (``= + - @``, tab, CR)
   is prefixed with an apostrophe (``safe_cell``); rows are read with ``QuerySet.iterator()``
   (a server-side cursor on PostgreSQL) and written with constant memory: CSV streams row by row
   to the client (``StreamingHttpResponse``), XLSX is written by openpyxl in write-only mode to a
   temporary file on disk, which is then streamed (``FileResponse``).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import models, transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .errors import BusinessError, ErrorCode

EXPORT_PERMISSION = "archives.export_data"
XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Query-string keys that choose the page or the format, not the rows: not part of the logged filter.
_NOT_FILTERS = frozenset({"page", "format", "export", "csrfmiddlewaretoken"})
_CHUNK = 2000
# An .xlsx up to this size is returned as one body, a larger one streamed from its temporary file.
INLINE_MAX_BYTES = 2 * 1024 * 1024

# rule: ARC-2 — a text cell starting with one of these is a formula to Excel/WPS (formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

EXPORT_NOT_ALLOWED = ErrorCode("exports.not_allowed", _("You do not have permission to export data."), 403)
TOO_MANY_ROWS = ErrorCode(
    "exports.too_many_rows",
    _("This export has %(rows)s rows; one file may hold at most %(cap)s. Narrow the filter and try again."),
    400,
)
HOURLY_CAP = ErrorCode(
    "exports.hourly_cap",
    _(
        "You have exported %(used)s rows in the last hour; with these %(rows)s rows you would exceed "
        "the limit of %(cap)s rows per hour. Try again later."
    ),
    429,
)
BAD_FORMAT = ErrorCode("exports.bad_format", _("Unknown export format: choose xlsx or csv."), 400)


def safe_cell(value: Any) -> Any:
    """rule: ARC-2 — numbers and dates stay as they are; text Excel would evaluate gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        # openpyxl cannot store aware datetimes; users read local time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date | dt.time):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    """A column: its header and how to get the value from a row (dotted attribute path or callable)."""

    header: str | Promise
    value: str | Callable[[Any], Any]

    def of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        result = row
        for part in self.value.split("."):
            if result is None:
                return None
            result = getattr(result, part)
            if callable(result) and not isinstance(result, models.Model):
                result = result()
        return result


@dataclass
class Sheet:
    """One sheet of an export: rows (objects read through ``columns``, or plain value sequences)."""

    title: str | Promise
    rows: Iterable[Any]
    columns: Sequence[Column] = ()
    header: Sequence[Any] = ()
    count: int | None = None  # counted from the rows when not given
    # Turns each row into the object the columns read (e.g. a KPI record into its drill-down row).
    prepare: Callable[[Any], Any] | None = None
    _counted: int = field(default=0, init=False)

    def row_count(self) -> int:
        if self.count is None:
            if isinstance(self.rows, models.QuerySet):
                self.count = self.rows.count()
            else:
                self.rows = list(self.rows)  # a small in-memory report (statistics, ledgers)
                self.count = len(self.rows)
        return self.count

    def header_cells(self) -> list[Any]:
        header = [c.header for c in self.columns] if self.columns else list(self.header)
        return [safe_cell(str(h)) for h in header]

    def cells(self) -> Iterator[list[Any]]:
        """The rows as escaped cells, read lazily (a server-side cursor for a queryset)."""
        rows: Iterable[Any] = self.rows
        if isinstance(rows, models.QuerySet):
            rows = rows.iterator(chunk_size=_CHUNK)
        # Never more than counted: rows added after the check are not exported (the log stays true).
        for row in islice(rows, self.row_count()):
            if self.prepare is not None:
                row = self.prepare(row)
            values = [c.of(row) for c in self.columns] if self.columns else list(row)
            yield [safe_cell(v) for v in values]


def requested_format(request: HttpRequest, default: str = XLSX) -> str:
    """``?format=csv`` or ``?format=xlsx`` (the list pages' export links)."""
    value = (request.GET.get("format") or default).lower()
    if value not in FORMATS:
        raise BusinessError(BAD_FORMAT, field="format")
    return value


def filters_of(request: HttpRequest) -> dict[str, Any]:
    """The filter a list was exported with: its query string without page and format keys."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in request.GET.lists()
        if key not in _NOT_FILTERS and any(values)
    }


def _refuse(actor: Any, list_name: str, filters: Mapping[str, Any], rows: int, fmt: str, error: BusinessError) -> None:
    from yingxiao.archives.models import ExportLog

    # Outside the caller's transaction: the denial is kept even though the export is not made.
    ExportLog.objects.create(
        user=actor if getattr(actor, "is_authenticated", False) else None,
        list_name=list_name[:100],
        filters=dict(filters),
        row_count=rows,
        file_format=fmt,
        status=ExportLog.Status.REFUSED,
        refused_code=error.code,
    )
    raise error


def export_check_and_log(
    actor: Any,
    *,
    list_name: str,
    rows: int,
    filters: Mapping[str, Any],
    fmt: str,
    permission: str = EXPORT_PERMISSION,
) -> Any:
    """rule: ARC-2 — permission, per-file and per-hour caps; the ``ExportLog`` of an allowed export.

    Raises ``BusinessError`` (logged as refused) when the export is not allowed; nothing is written.
    """
    from yingxiao.archives.models import ExportLog
    from yingxiao.org.models import User
    from yingxiao.policy.values import policy_value

    if actor is None or not actor.is_authenticated or not actor.has_perm(permission):
        _refuse(actor, list_name, filters, rows, fmt, BusinessError(EXPORT_NOT_ALLOWED))
    per_file = policy_value("export_max_rows_per_file")
    if rows > per_file:
        _refuse(actor, list_name, filters, rows, fmt, BusinessError(TOO_MANY_ROWS, rows=rows, cap=per_file))
    per_hour = policy_value("export_max_rows_per_hour")
    with transaction.atomic():
        # One export at a time per user: two tabs cannot both pass the hourly check.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        since = timezone.now() - dt.timedelta(hours=1)
        used = (
            ExportLog.objects.filter(user=actor, at__gte=since, status=ExportLog.Status.DONE).aggregate(
                total=models.Sum("row_count")
            )["total"]
            or 0
        )
        if used + rows > per_hour:
            error = BusinessError(HOURLY_CAP, used=used, rows=rows, cap=per_hour)
        else:
            return ExportLog.objects.create(
                user=actor,
                list_name=list_name[:100],
                filters=dict(filters),
                row_count=rows,
                file_format=fmt,
                status=ExportLog.Status.DONE,
            )
    _refuse(actor, list_name, filters, rows, fmt, error)


class _Echo:
    """A file-like object whose ``write`` returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_stream(sheets: Sequence[Sheet]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 Chinese correctly
    for index, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if index:
                yield "\r\n"
            yield writer.writerow([safe_cell(str(sheet.title))])
        yield writer.writerow(sheet.header_cells())
        for cells in sheet.cells():
            yield writer.writerow(cells)


def write_xlsx(sheets: Sequence[Sheet], target: Any) -> None:
    """Write the sheets to ``target`` (a path or binary file) with openpyxl's write-only workbook."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(str(sheet.title)[:31])
        worksheet.append(sheet.header_cells())
        for cells in sheet.cells():
            worksheet.append(cells)
    workbook.save(target)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A small workbook as bytes (in-memory reports and their tests); lists go through ``export_response``."""
    with tempfile.TemporaryFile(suffix=".xlsx") as spool:
        write_xlsx(sheets, spool)
        spool.seek(0)
        return spool.read()


def _filename(base: str, fmt: str, dated: bool) -> str:
    return f"{base}-{timezone.localdate():%Y%m%d}.{fmt}" if dated else f"{base}.{fmt}"


def export_response(
    actor: Any,
    *,
    list_name: str,
    filename: str,
    sheets: Sequence[Sheet] | None = None,
    rows: Iterable[Any] | None = None,
    columns: Sequence[Column] = (),
    header: Sequence[Any] = (),
    title: str | Promise = "",
    prepare: Callable[[Any], Any] | None = None,
    filters: Mapping[str, Any] | None = None,
    fmt: str = XLSX,
    permission: str = EXPORT_PERMISSION,
    dated: bool = True,
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """rule: ARC-2 — check, log and stream an export; raises ``BusinessError`` when refused.

    Give either ``sheets`` or one sheet's ``rows`` (+ ``columns`` for objects, or ``header`` for
    value rows; ``prepare`` maps each row before the columns read it). ``filters`` are logged
    with the export (``filters_of(request)`` in views).
    """
    if fmt not in FORMATS:
        raise BusinessError(BAD_FORMAT, field="format")
    if sheets is None:
        sheets = [
            Sheet(title or list_name, rows if rows is not None else [], columns=columns, header=header, prepare=prepare)
        ]
    total = sum(sheet.row_count() for sheet in sheets)
    export_check_and_log(actor, list_name=list_name, rows=total, filters=filters or {}, fmt=fmt, permission=permission)
    name = _filename(filename, fmt, dated)
    if fmt == CSV:
        response = StreamingHttpResponse(_csv_stream(sheets), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # A temporary file on disk, not a buffer in memory: a 100,000-row workbook stays off the heap.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — FileResponse closes it
    write_xlsx(sheets, spool)
    size = spool.tell()
    spool.seek(0)
    if size <= INLINE_MAX_BYTES:
        # A small file is sent as one body (no open file kept for the response's lifetime).
        with spool:
            response = HttpResponse(spool.read(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(spool, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)


def export_view(request: HttpRequest, **kwargs: Any) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """``export_response`` for a page: the format and filter from the request; a refusal as a page.

    The refusal page keeps the error's status (403 permission, 400 per-file cap, 429 hourly cap)
    and explains it in the user's language.
    """
    try:
        fmt = kwargs.pop("fmt", None) or requested_format(request)
        kwargs.setdefault("filters", filters_of(request))
        return export_response(request.user, fmt=fmt, **kwargs)
    except BusinessError as error:
        return render(request, "core/export_refused.html", {"error": error}, status=error.status)
