"""ACT-1 registration, CUS-11 anyone in scope may serve, CUS-7 last served, ACT-6 messages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import AssignmentFactory, ContactFactory, CustomerFactory, PositionFactory
from yingxiao.activities import errors
from yingxiao.activities.models import Activity
from yingxiao.activities.rules import counts_as_service, parse_qualifying_activity_types, qualifying_kinds
from yingxiao.activities.services import activity_log
from yingxiao.core.errors import NOT_FOUND, PERMISSION_DENIED, BusinessError
from yingxiao.core.models import Notification
from yingxiao.customers.models import Customer
from yingxiao.org.models import Role, User

pytestmark = pytest.mark.django_db


def _log(actor, customer, **overrides):
    values = {"kind": Activity.Kind.VISIT, "occurred_at": timezone.now(), "subject": "产品介绍"}
    values.update(overrides)
    return activity_log(actor=actor, customer=customer, **values)


def _notes(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


# --- ACT-1: registration and required fields ------------------------------------------


def test_act_1_a_visit_is_registered_with_time_staff_customer_5w1h_and_result(personas, rep_customer):
    contact = ContactFactory(customer=rep_customer, name="王经理")
    when = timezone.now() - dt.timedelta(hours=2)
    activity = _log(
        personas.rep,
        rep_customer,
        kind="visit",
        direction="in",
        occurred_at=when,
        contact=contact,
        subject=" 新品询价 ",
        location="公司会议室",
        purpose="了解需求",
        summary="客户对A型号感兴趣",
        result="下周报价",
        duration_minutes=45,
    )
    activity.refresh_from_db()
    assert (activity.customer, activity.staff, activity.contact) == (rep_customer, personas.rep, contact)
    assert activity.occurred_at == when
    assert (activity.subject, activity.location, activity.purpose) == ("新品询价", "公司会议室", "了解需求")
    assert (activity.summary, activity.result, activity.duration_minutes) == ("客户对A型号感兴趣", "下周报价", 45)
    assert activity.direction == "in"
    # CUS-9 style history: the creation is versioned with who did it.
    record = activity.history.get()
    assert record.history_type == "+" and record.history_user == personas.rep


@pytest.mark.parametrize("kind", ["visit", "home_visit", "call", "letter", "email", "sms"])
def test_act_1_every_contact_kind_can_be_logged(personas, rep_customer, kind):
    assert _log(personas.rep, rep_customer, kind=kind).kind == kind


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "fax"}, errors.UNKNOWN_KIND.code),
        ({"direction": "sideways"}, errors.UNKNOWN_DIRECTION.code),
        ({"subject": "   "}, errors.SUBJECT_REQUIRED.code),
        ({"subject": "长" * 201}, errors.TEXT_TOO_LONG.code),
        ({"summary": "长" * 4001}, errors.TEXT_TOO_LONG.code),
        ({"occurred_at": None}, errors.TIME_REQUIRED.code),
        ({"occurred_at": timezone.now() + dt.timedelta(hours=1)}, errors.IN_FUTURE.code),
        ({"duration_minutes": -1}, errors.BAD_DURATION.code),
        ({"kind": "message", "caller_name": "", "caller_contact": "139"}, errors.MESSAGE_DETAILS_REQUIRED.code),
        ({"kind": "message", "caller_name": "王先生", "caller_contact": ""}, errors.MESSAGE_DETAILS_REQUIRED.code),
    ],
)
def test_act_1_bad_input_is_refused_with_a_clear_code_and_nothing_is_written(personas, rep_customer, overrides, code):
    with pytest.raises(BusinessError) as caught:
        _log(personas.rep, rep_customer, **overrides)
    assert caught.value.code == code
    assert caught.value.message
    assert not Activity.objects.exists()
    assert not Notification.objects.exists()


def test_act_1_a_contact_person_of_another_customer_is_refused(personas, rep_customer):
    stranger = ContactFactory(customer=CustomerFactory(owner=personas.rep))
    with pytest.raises(BusinessError) as caught:
        _log(personas.rep, rep_customer, contact=stranger)
    assert caught.value.code == errors.CONTACT_NOT_OF_CUSTOMER.code
    assert not Activity.objects.exists()


def test_act_1_a_contact_a_few_seconds_ahead_is_accepted_as_clock_skew(personas, rep_customer):
    assert _log(personas.rep, rep_customer, occurred_at=timezone.now() + dt.timedelta(minutes=1)).pk


# --- CUS-11: anyone in scope may log; the owner is notified -----------------------------


def test_cus_11_owner_logging_on_own_customer_notifies_nobody(
    personas, rep_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _log(personas.rep, rep_customer)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("persona", ["head", "director", "resource_director"])
def test_cus_11_a_colleague_who_sees_the_customer_can_log_and_the_owner_is_notified(
    personas, rep_customer, persona, django_capture_on_commit_callbacks
):
    actor = getattr(personas, persona)
    with django_capture_on_commit_callbacks(execute=True):
        activity = _log(actor, rep_customer, subject="代为回访")
    assert activity.staff == actor
    notes = Notification.objects.filter(recipient=personas.rep)
    assert notes.count() == 1
    note = notes.get()
    assert note.actor == actor and "甲公司" in note.message and "代为回访" in note.message
    assert note.link


def test_cus_11_a_teammate_whose_scope_reaches_the_customer_can_log(personas, rep_customer):
    leader_post = PositionFactory(
        title="组长", department=personas.domestic, role=Role.objects.get(code="group_leader")
    )
    leader = AssignmentFactory(position=leader_post).user
    assert _log(leader, rep_customer).staff == leader


def test_cus_11_the_owner_is_notified_only_after_commit(personas, rep_customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _log(personas.head, rep_customer)
    assert len(callbacks) == 1  # queued for commit, not sent inside the transaction
    assert not Notification.objects.exists()


@pytest.mark.parametrize("persona", ["teammate", "other_rep"])
def test_cus_11_a_rep_cannot_log_on_a_customer_outside_their_scope(personas, rep_customer, persona):
    with pytest.raises(BusinessError) as caught:
        _log(getattr(personas, persona), rep_customer)
    assert caught.value.code == NOT_FOUND.code and caught.value.status == 404
    assert not Activity.objects.exists()


def test_cus_11_a_missing_customer_looks_the_same_as_an_out_of_scope_one(personas):
    with pytest.raises(BusinessError) as caught:
        _log(personas.rep, 10**9)
    assert caught.value.code == NOT_FOUND.code


@pytest.mark.parametrize("persona", ["finance", "admin"])
def test_cus_11_roles_without_the_log_permission_cannot_log(personas, rep_customer, persona):
    with pytest.raises(BusinessError) as caught:
        _log(getattr(personas, persona), rep_customer)
    assert caught.value.code == PERMISSION_DENIED.code
    assert not Activity.objects.exists()


# --- CUS-7 / ACT-1: qualifying service moves last served --------------------------------


def test_cus_7_qualifying_kinds_come_from_one_parameter():
    kinds = qualifying_kinds()
    assert set(kinds) == {"visit", "home_visit", "call"}
    assert kinds["call"] is True and kinds["visit"] is False
    assert not {"sms", "message"} & set(kinds)
    with pytest.raises(ValueError):
        parse_qualifying_activity_types(["sms"])
    with pytest.raises(ValueError):
        parse_qualifying_activity_types(["fax"])
    assert dict(parse_qualifying_activity_types(["email", "call"])) == {"email": False, "call": False}


@pytest.mark.parametrize(
    ("kind", "result", "qualifies"),
    [
        ("visit", "", True),
        ("home_visit", "", True),
        ("call", "约好下周面谈", True),
        ("call", "", False),
        ("sms", "已读", False),
        ("letter", "已回复", False),
        ("email", "已回复", False),
    ],
)
def test_cus_7_act_1_qualifying_service_updates_last_served_and_sms_does_not(
    personas, rep_customer, kind, result, qualifies
):
    when = timezone.now() - dt.timedelta(minutes=10)
    activity = _log(personas.rep, rep_customer, kind=kind, result=result, occurred_at=when)
    rep_customer.refresh_from_db()
    assert activity.is_qualifying is qualifies
    assert rep_customer.last_served_at == (when if qualifies else None)


def test_cus_7_a_message_never_counts_as_service(personas, rep_customer):
    activity = _log(personas.rep, rep_customer, kind="message", caller_name="王先生", caller_contact="13900001111")
    rep_customer.refresh_from_db()
    assert not activity.is_qualifying and rep_customer.last_served_at is None


def test_cus_7_last_served_never_moves_backwards(personas, rep_customer):
    recent = timezone.now() - dt.timedelta(days=1)
    older = timezone.now() - dt.timedelta(days=30)
    _log(personas.rep, rep_customer, occurred_at=recent)
    _log(personas.head, rep_customer, occurred_at=older, subject="补录上月拜访")
    rep_customer.refresh_from_db()
    assert rep_customer.last_served_at == recent
    newest = timezone.now() - dt.timedelta(minutes=1)
    _log(personas.rep, rep_customer, kind="call", result="确认订单", occurred_at=newest)
    rep_customer.refresh_from_db()
    assert rep_customer.last_served_at == newest


def test_cus_7_last_served_is_a_conditional_update_not_a_read_modify_write(personas, rep_customer):
    # A stale in-memory customer (it never saw the newer value) must not overwrite it.
    stale = Customer.objects.get(pk=rep_customer.pk)
    newer = timezone.now() - dt.timedelta(hours=1)
    Customer.objects.filter(pk=stale.pk).update(last_served_at=newer)
    _log(personas.rep, stale, occurred_at=newer - dt.timedelta(hours=5))
    rep_customer.refresh_from_db()
    assert rep_customer.last_served_at == newer


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cus_7_concurrent_logs_leave_the_latest_last_served(personas):
    customer = CustomerFactory(owner=personas.rep, department=personas.domestic)
    base = timezone.now() - dt.timedelta(hours=3)
    times = [base + dt.timedelta(minutes=m) for m in (5, 50, 20, 35, 10, 45)]
    barrier = threading.Barrier(len(times))
    failures: list[BaseException] = []

    def worker(when: dt.datetime) -> None:
        try:
            actor = User.objects.get(pk=personas.rep.pk)
            barrier.wait(timeout=10)
            _log(actor, customer.pk, occurred_at=when)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(when,)) for when in times]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    customer.refresh_from_db()
    assert customer.last_served_at == max(times)
    assert Activity.objects.filter(customer=customer).count() == len(times)


def test_cus_7_counts_as_service_reads_the_parameter():
    assert counts_as_service("call", " 有结果 ") and not counts_as_service("call", "  ")


# --- ACT-6: messages for an absent colleague ----------------------------------------------


def _message(actor, customer, **overrides):
    values = {"kind": "message", "caller_name": "王先生", "caller_contact": "13900001111", "subject": "请回电谈报价"}
    values.update(overrides)
    return _log(actor, customer, **values)


def test_act_6_a_message_is_routed_to_the_available_owner_and_notified(
    personas, rep_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        activity = _message(personas.head, rep_customer)
    assert activity.routed_to == personas.rep
    assert (activity.caller_name, activity.caller_contact) == ("王先生", "13900001111")
    notes = _notes(personas.rep)
    assert len(notes) == 1  # one notice, not a second "someone logged" one
    assert "王先生" in notes[0] and "13900001111" in notes[0] and "请回电谈报价" in notes[0]


def test_act_6_a_message_for_an_absent_owner_goes_to_their_superior(
    personas, rep_customer, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=personas.rep.pk).update(status=User.Status.ABSENT, absent_until=None)
    with django_capture_on_commit_callbacks(execute=True):
        activity = _message(personas.director, rep_customer)
    assert activity.routed_to == personas.head
    assert len(_notes(personas.head)) == 1
    # The owner still hears about it when back (CUS-11).
    assert len(_notes(personas.rep)) == 1


def test_act_6_an_absent_owner_with_a_delegate_routes_to_the_delegate(personas, rep_customer):
    User.objects.filter(pk=personas.rep.pk).update(
        status=User.Status.ABSENT, absent_until=None, delegate=personas.teammate
    )
    assert _message(personas.head, rep_customer).routed_to == personas.teammate


def test_act_6_an_owner_who_left_routes_past_an_absent_head_to_the_director(personas, rep_customer):
    User.objects.filter(pk=personas.rep.pk).update(status=User.Status.LEFT)
    User.objects.filter(pk=personas.head.pk).update(status=User.Status.ABSENT, absent_until=None)
    assert _message(personas.resource_director, rep_customer).routed_to == personas.director


def test_act_6_a_message_on_an_unowned_customer_goes_to_the_department_head(personas):
    pooled = CustomerFactory(owner=None, department=personas.domestic)
    assert _message(personas.director, pooled).routed_to == personas.head


def test_act_6_the_owner_taking_their_own_message_is_not_notified(
    personas, rep_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _message(personas.rep, rep_customer).routed_to == personas.rep
    assert not Notification.objects.exists()


def test_cus_7_changing_the_policy_changes_what_counts_as_service(personas, rep_customer):
    from yingxiao.policy.services import policy_change

    personas.admin.is_superuser = True
    personas.admin.save(update_fields=["is_superuser"])
    policy_change(actor=personas.admin, name="qualifying_activity_types", value=["visit"], reason="只算拜访")
    activity = activity_log(
        actor=personas.rep,
        customer=rep_customer,
        kind=Activity.Kind.CALL,
        occurred_at=timezone.now(),
        subject="电话回访",
        result="客户满意",
    )
    assert activity.is_qualifying is False
