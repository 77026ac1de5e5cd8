"""ARC-1: borrowing an archive needs a request approved by the GM or sales director, a due date and
an inspection on return; loss or damage is reported; overdue loans are reminded."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from yingxiao.archives import services
from yingxiao.archives.models import Borrowing, DocumentAccess
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import Notification
from yingxiao.org.models import User
from yingxiao.policy.registry import run_sweep

from .conftest import Archive, approve, fresh, in_days, waiting_for


def _borrow(user: User, document, days: int = 7, purpose: str = "核对合同条款") -> Borrowing:
    return services.borrowing_request(
        actor=fresh(user), document_id=document.pk, due_date=in_days(days), purpose=purpose
    )


def test_arc_1_borrowing_is_approved_by_the_sales_director(arc: Archive, django_capture_on_commit_callbacks) -> None:
    borrowing = _borrow(arc.head, arc.intl_secret)
    assert borrowing.status == Borrowing.Status.PENDING and borrowing.department == arc.domestic
    assert waiting_for(borrowing) == arc.director
    with django_capture_on_commit_callbacks(execute=True):
        approve(arc.director, borrowing)
    borrowing.refresh_from_db()
    assert borrowing.status == Borrowing.Status.LENT and borrowing.lent_at is not None
    assert Notification.objects.filter(recipient=arc.head, message__contains="MM-2").exists()


def test_arc_1_director_away_or_borrowing_goes_to_the_general_manager(arc: Archive) -> None:
    own = _borrow(arc.director, arc.intl_secret)
    assert waiting_for(own) == arc.gm  # never approves their own request
    approve(arc.gm, own)
    own.refresh_from_db()
    assert own.status == Borrowing.Status.LENT


def test_arc_1_rejected_borrowing_lends_nothing(arc: Archive) -> None:
    from yingxiao.approvals.models import Instance
    from yingxiao.approvals.services import approval_decide

    borrowing = _borrow(arc.head, arc.intl_secret)
    instance = Instance.objects.get(request_type=services.BORROW_REQUEST, object_id=borrowing.pk)
    approval_decide(actor=fresh(arc.director), instance=instance, decision="reject", note="不需要")
    borrowing.refresh_from_db()
    assert borrowing.status == Borrowing.Status.REJECTED


def test_arc_1_borrower_without_rights_gets_a_clear_error(arc: Archive) -> None:
    # A rep is not cleared for 秘密: refused, naming the level; nothing is requested.
    with pytest.raises(BusinessError) as refused:
        _borrow(arc.rep, arc.secret)
    assert refused.value.code == "archives.not_cleared" and refused.value.status == 403
    assert "秘密" in refused.value.message
    # Without the right to borrow at all (the role's permission removed by an administrator).
    role = arc.rep.assignments.get().position.role
    role.permissions.remove(*role.permissions.filter(codename="add_borrowing"))
    with pytest.raises(BusinessError) as no_right:
        _borrow(arc.rep, arc.internal)
    assert no_right.value.code == "archives.no_permission"
    assert not Borrowing.objects.exists()


def test_arc_1_due_date_is_required_within_the_policy(arc: Archive) -> None:
    for days, code in ((-1, "archives.due_in_past"), (31, "archives.due_too_late")):
        with pytest.raises(BusinessError) as bad:
            _borrow(arc.head, arc.intl_secret, days=days)
        assert bad.value.code == code and bad.value.field == "due_date"
    with pytest.raises(BusinessError) as no_purpose:
        _borrow(arc.head, arc.intl_secret, purpose="  ")
    assert no_purpose.value.code == "archives.required"
    assert not Borrowing.objects.exists()
    assert _borrow(arc.head, arc.intl_secret, days=30).due_date == in_days(30)  # the boundary is allowed


def test_arc_1_one_loan_at_a_time_and_one_open_request(arc: Archive) -> None:
    first = _borrow(arc.head, arc.internal)
    with pytest.raises(BusinessError) as twice:
        _borrow(arc.head, arc.internal)
    assert twice.value.code == "archives.already_requested"
    approve(arc.director, first)
    with pytest.raises(BusinessError) as lent:
        _borrow(arc.rep, arc.internal)
    assert lent.value.code == "archives.already_lent"
    assert Borrowing.objects.count() == 1


def test_arc_1_a_loan_opens_the_file_and_the_access_names_it(arc: Archive) -> None:
    head = fresh(arc.head)
    with pytest.raises(BusinessError):
        services.document_download(actor=head, pk=arc.intl_secret.pk)
    borrowing = _borrow(arc.head, arc.intl_secret)
    approve(arc.director, borrowing)
    services.document_download(actor=fresh(arc.head), pk=arc.intl_secret.pk)
    access = DocumentAccess.objects.get()
    assert access.user == arc.head and access.borrowing == borrowing and access.action == "download"


def test_arc_1_return_is_inspected_and_damage_reported(arc: Archive, django_capture_on_commit_callbacks) -> None:
    borrowing = _borrow(arc.head, arc.intl_secret)
    approve(arc.director, borrowing)
    with pytest.raises(BusinessError) as not_keeper:
        services.borrowing_return(actor=fresh(arc.rep), borrowing=borrowing, condition="intact")
    assert not_keeper.value.code == "archives.no_permission"
    with pytest.raises(BusinessError) as no_note:
        services.borrowing_return(actor=fresh(arc.keeper), borrowing=borrowing, condition="damaged")
    assert no_note.value.code == "archives.required"
    borrowing.refresh_from_db()
    assert borrowing.status == Borrowing.Status.LENT
    with pytest.raises(BusinessError):
        services.borrowing_return(actor=fresh(arc.keeper), borrowing=borrowing, condition="wet")
    with django_capture_on_commit_callbacks(execute=True):
        services.borrowing_return(actor=fresh(arc.keeper), borrowing=borrowing, condition="damaged", note="第3页被撕")
    borrowing.refresh_from_db()
    assert (borrowing.status, borrowing.condition, borrowing.inspection_note) == ("returned", "damaged", "第3页被撕")
    assert borrowing.received_by == arc.keeper and borrowing.returned_at is not None
    for boss in (arc.director, arc.gm):
        assert Notification.objects.filter(recipient=boss, message__contains="第3页被撕").exists()
    with pytest.raises(BusinessError) as again:
        services.borrowing_return(actor=fresh(arc.keeper), borrowing=borrowing, condition="intact")
    assert again.value.code == "archives.not_lent"
    assert borrowing.history.filter(status="returned").exists()


def test_arc_1_overdue_loan_is_reminded_once_a_day(arc: Archive) -> None:
    borrowing = _borrow(arc.head, arc.intl_secret, days=3)
    approve(arc.director, borrowing)
    on_time = timezone.now() + dt.timedelta(days=3)
    assert run_sweep("ARC-1r", as_of=on_time).found == 0
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    late = timezone.now() + dt.timedelta(days=5)
    with time_machine.travel(late, tick=False):
        first = run_sweep("ARC-1r", as_of=late)
        again = run_sweep("ARC-1r", as_of=late + dt.timedelta(hours=2))
    assert first.found == 1 and first.total("applied") == 1
    assert again.total("applied") == 0  # idempotent: same day, same breach key
    reminders = Notification.objects.filter(pk__gt=before, message__contains="MM-2")
    assert set(reminders.values_list("recipient", flat=True)) == {arc.head.pk, arc.keeper.pk}  # borrower, custodian
    assert reminders.filter(recipient=arc.head).count() == 1
    next_day = late + dt.timedelta(days=1)
    with time_machine.travel(next_day, tick=False):
        assert run_sweep("ARC-1r", as_of=next_day).total("applied") == 1
    services.borrowing_return(actor=fresh(arc.keeper), borrowing=borrowing, condition="intact")
    assert run_sweep("ARC-1r", as_of=next_day + dt.timedelta(days=1)).found == 0
