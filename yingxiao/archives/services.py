"""Archive actions (ARC-1, ARC-2): register documents, open them (logged), borrow, return with inspection.

Every action takes the acting user first, checks permission and clearance, validates, and
writes inside one transaction; a refused action changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from yingxiao.approvals.models import Instance
from yingxiao.approvals.services import approval_submit
from yingxiao.core.errors import BusinessError
from yingxiao.core.notifications import notify
from yingxiao.org.models import Department, User
from yingxiao.org.scope import scope_for
from yingxiao.org.selectors import primary_department
from yingxiao.policy.values import policy_value

from . import errors
from .models import CLASSIFIED, Borrowing, Document, DocumentAccess, Level, cleared_levels

BORROW_REQUEST = "archive_borrowing"
FILE_LIMIT_MB = 50
DIRECTOR_ROLES = ("sales_director", "general_manager")


def _require(actor: User, perm: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_perm(perm):
        raise BusinessError(errors.NO_PERMISSION)


def _text(value: Any, field: str, *, required: bool = True, limit: int = 4000) -> str:
    result = str(value if value is not None else "").strip()
    if required and not result:
        raise BusinessError(errors.REQUIRED, field=field, field_name=field)
    if len(result) > limit:
        raise BusinessError(errors.BAD_VALUE, field=field, field_name=field)
    return result


def _choice(value: Any, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise BusinessError(errors.BAD_VALUE, field=field, field_name=field)
    return str(value)


def _check_file(file: UploadedFile | None) -> None:
    if file is not None and file.size is not None and file.size > FILE_LIMIT_MB * 1024 * 1024:
        raise BusinessError(errors.FILE_TOO_LARGE, field="file", limit=FILE_LIMIT_MB)


def _check_clearance(actor: User, level: str) -> None:
    """rule: ARC-2 — nobody registers, opens or borrows a document above their clearance."""
    if level not in cleared_levels(actor):
        raise BusinessError(errors.NOT_CLEARED, field="level", level=Level(level).label)


def get_document_for(actor: User, pk: Any, action: str = "view") -> Document:
    """The document if ``actor`` may see it (clearance or custody), else 404 — never a hint it exists."""
    try:
        return Document.objects.restrict(actor, action).select_related("department", "custodian").get(pk=pk)  # type: ignore[attr-defined]
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def document_register(
    *,
    actor: User,
    number: str,
    title: str,
    level: str,
    category: str = Document.Category.OTHER,
    department: Department | None = None,
    custodian: User | None = None,
    description: str = "",
    location: str = "",
    file: UploadedFile | None = None,
) -> Document:
    """rule: ARC-2 — register a document with its confidentiality level and (optionally) its file."""
    _require(actor, "archives.add_document")
    number = _text(number, "number", limit=50)
    title = _text(title, "title", limit=200)
    level = _choice(level, Level, "level")
    category = _choice(category, Document.Category, "category")
    _check_clearance(actor, level)
    _check_file(file)
    department = department or primary_department(actor)
    custodian = custodian or actor
    if not custodian.is_active:
        raise BusinessError(errors.BAD_VALUE, field="custodian", field_name="custodian")
    document = Document(
        number=number,
        title=title,
        level=level,
        category=category,
        department=department,
        custodian=custodian,
        description=_text(description, "description", required=False),
        location=_text(location, "location", required=False, limit=200),
        created_by=actor,
    )
    if file is not None:
        document.file_name = str(file.name)[:200]
        document.file = file
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:
        raise BusinessError(errors.DUPLICATE_NUMBER, field="number") from exc
    return document


def document_update(*, actor: User, document: Document, **changes: Any) -> Document:
    """Change a document's description, level, location, custodian or file (kept in its history)."""
    _require(actor, "archives.change_document")
    document = get_document_for(actor, document.pk, "change")
    if document.status == Document.Status.VOID:
        raise BusinessError(errors.VOID)
    if "level" in changes:
        changes["level"] = _choice(changes["level"], Level, "level")
        _check_clearance(actor, changes["level"])
    if "title" in changes:
        changes["title"] = _text(changes["title"], "title", limit=200)
    for name in ("description", "location"):
        if name in changes:
            changes[name] = _text(changes[name], name, required=False, limit=4000 if name == "description" else 200)
    file = changes.pop("file", None)
    _check_file(file)
    allowed = {"title", "level", "description", "location", "custodian", "category", "department"}
    for name, value in changes.items():
        if name in allowed and value is not None:
            setattr(document, name, value)
    if file is not None:
        document.file_name = str(file.name)[:200]
        document.file = file
    with transaction.atomic():
        document.save()
    return document


def document_void(*, actor: User, document: Document) -> Document:
    """Void a document (nothing the policies keep is deleted)."""
    _require(actor, "archives.change_document")
    document = get_document_for(actor, document.pk, "change")
    document.status = Document.Status.VOID
    document.save(update_fields=["status"])  # saved, not updated: the history keeps the change
    return document


def active_loan(actor: User, document: Document) -> Borrowing | None:
    """The actor's approved, unreturned borrowing of the document, if any."""
    return Borrowing.objects.filter(document=document, borrower=actor, status=Borrowing.Status.LENT).first()


def may_open(actor: User, document: Document) -> bool:
    """rule: ARC-2 — the content of a classified document: custodian, data scope over its department, or a loan."""
    if document.level not in cleared_levels(actor) and document.custodian_id != actor.pk:
        return False
    if document.level not in CLASSIFIED or document.custodian_id == actor.pk:
        return True
    scope = scope_for(actor)
    if (
        scope.is_all
        or Document.objects.filter(pk=document.pk).filter(scope.q(owner="custodian", department="department")).exists()
    ):
        return True
    return active_loan(actor, document) is not None


def _log_access(actor: User, document: Document, action: str, via: str) -> None:
    # rule: ARC-2 — every view and download of a secret or confidential document: who, when, what.
    if document.level in CLASSIFIED:
        DocumentAccess.objects.create(
            document=document,
            user=actor,
            action=action,
            level=document.level,
            via=via,
            borrowing=active_loan(actor, document),
        )


def document_view(*, actor: User, pk: Any, via: str = "web") -> Document:
    """Open a document's record page; logged for a classified document."""
    document = get_document_for(actor, pk)
    _log_access(actor, document, DocumentAccess.Action.VIEW, via)
    return document


def document_download(*, actor: User, pk: Any, via: str = "web") -> Document:
    """rule: ARC-2 — the stored file: only with the right to open it; every download logged."""
    document = get_document_for(actor, pk)
    if not may_open(actor, document):
        raise BusinessError(errors.NEEDS_BORROWING)
    if not document.file:
        raise BusinessError(errors.NO_FILE)
    _log_access(actor, document, DocumentAccess.Action.DOWNLOAD, via)
    return document


# --- borrowing (借阅, ARC-1) -----------------------------------------------------------------
def borrowing_request(*, actor: User, document_id: Any, due_date: dt.date, purpose: str) -> Borrowing:
    """rule: ARC-1 — ask to borrow an archive: a due date, a purpose, approved by the GM or sales director.

    A borrower without the right to borrow, or not cleared for the document's level, is refused
    with a clear error; the document must be in the archive and not lent out.
    """
    _require(actor, "archives.add_borrowing")
    try:
        document = Document.objects.get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if document.custodian_id != actor.pk:
        # A level above the borrower's clearance: refused, naming the level (not the content).
        _check_clearance(actor, document.level)
    if document.status != Document.Status.ACTIVE:
        raise BusinessError(errors.VOID)
    purpose = _text(purpose, "purpose")
    today = timezone.localdate()
    if not isinstance(due_date, dt.date):
        raise BusinessError(errors.BAD_VALUE, field="due_date", field_name="due_date")
    if due_date < today:
        raise BusinessError(errors.DUE_IN_PAST, field="due_date")
    max_days = policy_value("archive_borrow_max_days")
    latest = today + dt.timedelta(days=max_days)
    if due_date > latest:
        raise BusinessError(errors.DUE_TOO_LATE, field="due_date", days=max_days, latest=latest.isoformat())
    lent = Borrowing.objects.filter(document=document, status=Borrowing.Status.LENT).first()
    if lent is not None and lent.borrower_id != actor.pk:
        raise BusinessError(errors.ALREADY_LENT, due=lent.due_date.isoformat())
    try:
        with transaction.atomic():
            borrowing = Borrowing.objects.create(
                document=document,
                borrower=actor,
                department=primary_department(actor),
                purpose=purpose,
                due_date=due_date,
            )
            approval_submit(
                actor=actor,
                request_type=BORROW_REQUEST,
                subject=borrowing,
                days=(due_date - today).days + 1,
                note=purpose,
                title=str(format_lazy(_("Borrow archive · {document} · {person}"), document=document, person=actor))[
                    :200
                ],
            )
    except IntegrityError as exc:
        raise BusinessError(errors.ALREADY_REQUESTED) from exc
    borrowing.refresh_from_db()
    return borrowing


def _transition(pk: Any, expected: str, **changes: Any) -> Borrowing | None:
    """Compare-and-set a borrowing's status under a row lock, saved so its history records the change."""
    with transaction.atomic():
        borrowing = (
            Borrowing.objects.select_for_update()
            .select_related("document", "borrower")
            .filter(pk=pk, status=expected)
            .first()
        )
        if borrowing is None:
            return None
        for name, value in changes.items():
            setattr(borrowing, name, value)
        borrowing.save(update_fields=list(changes))
    return borrowing


def borrowing_on_approved(instance: Instance) -> None:
    """rule: ARC-1 — approved by the GM or sales director: the archive is lent until the due date."""
    try:
        borrowing = _transition(
            instance.object_id, Borrowing.Status.PENDING, status=Borrowing.Status.LENT, lent_at=timezone.now()
        )
    except IntegrityError as exc:
        raise BusinessError(errors.ALREADY_LENT, due="—") from exc
    if borrowing is not None:
        message = format_lazy(
            _("Your borrowing of {document} is approved; return it by {due}."),
            document=borrowing.document,
            due=borrowing.due_date.isoformat(),
        )
        transaction.on_commit(lambda: notify(borrowing.borrower, message=message))


def borrowing_on_rejected(instance: Instance) -> None:
    _transition(instance.object_id, Borrowing.Status.PENDING, status=Borrowing.Status.REJECTED)


def borrowing_on_cancelled(instance: Instance) -> None:
    _transition(instance.object_id, Borrowing.Status.PENDING, status=Borrowing.Status.CANCELLED)


def get_borrowing_for(actor: User, pk: Any, action: str = "view") -> Borrowing:
    try:
        return Borrowing.objects.restrict(actor, action).select_related("document", "borrower").get(pk=pk)  # type: ignore[attr-defined]
    except (Borrowing.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def borrowing_return(*, actor: User, borrowing: Borrowing, condition: str, note: str = "") -> Borrowing:
    """rule: ARC-1 — take an archive back, inspected in person; loss or damage is reported upwards.

    The keeper (``archives.inspect_borrowing``) or the document's custodian records the condition;
    a damaged or lost archive needs a note and is reported to the sales director and the GM.
    """
    is_custodian = borrowing.document.custodian_id == actor.pk
    if not (is_custodian or (actor.is_authenticated and actor.has_perm("archives.inspect_borrowing"))):
        raise BusinessError(errors.NO_PERMISSION)
    condition = _choice(condition, Borrowing.Condition, "condition")
    note = _text(note, "inspection_note", required=condition != Borrowing.Condition.INTACT)
    with transaction.atomic():
        returned = _transition(
            borrowing.pk,
            Borrowing.Status.LENT,
            status=Borrowing.Status.RETURNED,
            returned_at=timezone.now(),
            received_by=actor,
            condition=condition,
            inspection_note=note,
        )
        if returned is None:
            raise BusinessError(errors.NOT_LENT)
        borrowing = returned
        if condition != Borrowing.Condition.INTACT:
            message = format_lazy(
                _("Archive {document} came back {condition} from {person}: {note}"),
                document=borrowing.document,
                condition=borrowing.get_condition_display(),
                person=borrowing.borrower,
                note=note,
            )
            for boss in User.objects.filter(
                is_active=True,
                assignments__ended_on__isnull=True,
                assignments__position__role__code__in=DIRECTOR_ROLES,
            ).distinct():
                transaction.on_commit(lambda boss=boss: notify(boss, message=message, actor=actor))
    return borrowing
