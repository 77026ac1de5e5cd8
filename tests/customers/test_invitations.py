"""CUS-8 invitations: one department per confirmed customer and event, the 18:00 cutoff, conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from tests.customers import relations_support
from tests.customers.relations_support import at, customer_of, set_policy
from yingxiao.core.errors import BusinessError
from yingxiao.core.models import CalendarDay, Notification
from yingxiao.customers.models import Invitation, InvitationResolution
from yingxiao.customers.relations import invitations

pytestmark = pytest.mark.django_db
people = relations_support.people  # shared fixture
EVENT = "春季联谊会"
EVENT_DAY = dt.date(2026, 3, 15)


MORNING = at(2026, 3, 2, 10, 0)


def invite(actor, customer, when=MORNING, **kwargs):
    kwargs.setdefault("event_name", EVENT)
    kwargs.setdefault("event_date", EVENT_DAY)
    with time_machine.travel(when, tick=False):
        return invitations.invitation_create(actor=actor, customer=customer, **kwargs)


@pytest.fixture
def shared(people):
    """The rep's customer: 国内部 (rep, head) and 营销中心 (the director sees everything) may both invite it."""
    return customer_of(people.rep)


def test_cus_8_invitation_logged_at_17_59_counts_for_the_same_day(people, shared):
    invitation = invite(people.rep, shared, at(2026, 3, 2, 17, 59))
    assert invitation.counts_for_date == dt.date(2026, 3, 2)


def test_cus_8_invitation_logged_at_18_00_counts_for_next_day(people, shared):
    invitation = invite(people.rep, shared, at(2026, 3, 2, 18, 0))
    assert invitation.counts_for_date == dt.date(2026, 3, 3)


def test_cus_8_invitation_logged_at_18_01_counts_for_next_day(people, shared):
    invitation = invite(people.rep, shared, at(2026, 3, 2, 18, 1))
    assert invitation.counts_for_date == dt.date(2026, 3, 3)


def test_cus_8_cutoff_is_read_in_asia_shanghai_time():
    # 10:00 UTC is 18:00 in Shanghai.
    assert invitations.counts_for(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)) == dt.date(2026, 3, 3)
    assert invitations.counts_for(dt.datetime(2026, 3, 2, 9, 59, tzinfo=dt.UTC)) == dt.date(2026, 3, 2)


def test_cus_8_next_day_is_the_next_calendar_day_even_across_holidays_and_weekends(db):
    # Documented choice: invitation lists are exchanged every evening, weekends and holidays included.
    CalendarDay.objects.create(date=dt.date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY)
    CalendarDay.objects.create(date=dt.date(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY)  # 调休 Saturday
    assert invitations.counts_for(at(2026, 9, 30, 18, 0)) == dt.date(2026, 10, 1)  # holiday eve → the holiday
    assert invitations.counts_for(at(2026, 3, 6, 18, 30)) == dt.date(2026, 3, 7)  # Friday → Saturday
    assert invitations.counts_for(at(2026, 10, 9, 19, 0)) == dt.date(2026, 10, 10)  # → the 调休 working Saturday
    assert invitations.counts_for(at(2026, 10, 10, 17, 59)) == dt.date(2026, 10, 10)


def test_cus_8_cutoff_follows_the_policy_in_force(people):
    set_policy("invite_cutoff", "17:00", since=at(2026, 3, 1, 0, 0))
    assert invitations.counts_for(at(2026, 2, 28, 17, 30)) == dt.date(2026, 2, 28)
    assert invitations.counts_for(at(2026, 3, 2, 17, 30)) == dt.date(2026, 3, 3)


def test_cus_8_confirmed_by_one_department_cannot_be_invited_by_another(people, shared):
    invite(people.rep, shared, confirmed=True)
    with pytest.raises(BusinessError) as refused:
        invite(people.director, shared)
    assert refused.value.code == "customers.invitation_taken"
    assert "国内部" in refused.value.message  # names the department that has the customer
    assert Invitation.objects.count() == 1


def test_cus_8_other_events_and_dates_are_free(people, shared):
    invite(people.rep, shared, confirmed=True)
    invite(people.director, shared, event_name="秋季联谊会")
    invite(people.director, shared, event_date=EVENT_DAY + dt.timedelta(days=7))
    assert Invitation.objects.count() == 3


def test_cus_8_event_names_match_regardless_of_width_case_and_spaces(people, shared):
    invite(people.rep, shared, event_name="Spring 联谊会", confirmed=True)
    with pytest.raises(BusinessError):
        invite(people.director, shared, event_name=" ｓｐｒｉｎｇ联谊会 ")


def test_cus_8_same_department_does_not_invite_twice(people, shared):
    invite(people.rep, shared)
    with pytest.raises(BusinessError) as refused:
        invite(people.head, shared)  # the head is in the same department
    assert refused.value.code == "customers.invitation_duplicate"


def test_cus_8_confirming_after_another_department_confirmed_is_refused(people, shared):
    mine = invite(people.rep, shared)
    invite(people.director, shared, confirmed=True)
    with pytest.raises(BusinessError) as refused:
        invitations.invitation_confirm(actor=people.rep, invitation=mine)
    assert refused.value.code == "customers.invitation_taken"
    mine.refresh_from_db()
    assert mine.status == Invitation.Status.INVITED


def test_cus_8_database_allows_one_confirmed_invitation_per_customer_and_event(people, shared):
    first = invite(people.rep, shared, confirmed=True)
    clone = Invitation(
        customer=shared,
        event_name=first.event_name,
        event_key=first.event_key,
        event_date=first.event_date,
        department=people.center,
        inviter=people.director,
        status=Invitation.Status.CONFIRMED,
        counts_for_date=first.counts_for_date,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_cus_8_coordinator_sees_conflicts_and_resolves_them(people, shared, django_capture_on_commit_callbacks):
    late = invite(people.rep, shared, at(2026, 3, 2, 18, 1))  # counts for 3 March
    early = invite(people.director, shared, at(2026, 3, 2, 17, 59))  # counts for 2 March
    (conflict,) = invitations.invitation_conflicts(people.director)
    assert conflict.customer == shared and {i.pk for i in conflict.invitations} == {late.pk, early.pk}
    assert conflict.suggested == early  # the cutoff decides who counted first
    with django_capture_on_commit_callbacks(execute=True):
        resolution = invitations.invitation_resolve(actor=people.director, winner=early, note="先报先得")
    late.refresh_from_db()
    early.refresh_from_db()
    assert early.status == Invitation.Status.CONFIRMED and late.status == Invitation.Status.SUPERSEDED
    assert resolution.withdrawn == [late.pk] and resolution.resolved_by == people.director
    assert late.history.first().history_user == people.director
    assert Notification.objects.filter(recipient=people.rep, message__contains=EVENT).exists()
    assert invitations.invitation_conflicts(people.director) == []
    with pytest.raises(BusinessError) as again:
        invitations.invitation_resolve(actor=people.director, winner=early)
    assert again.value.code == "customers.no_conflict"
    assert InvitationResolution.objects.count() == 1


def test_cus_8_a_rep_cannot_resolve_conflicts(people, shared):
    mine = invite(people.rep, shared)
    with pytest.raises(PermissionDenied):
        invitations.invitation_resolve(actor=people.rep, winner=mine)
    with pytest.raises(PermissionDenied):
        invitations.invitation_conflicts(people.rep)


def test_cus_8_declined_invitation_frees_nothing_but_is_closed(people, shared):
    mine = invite(people.rep, shared)
    invitations.invitation_decline(actor=people.rep, invitation=mine, note="没空")
    with pytest.raises(BusinessError) as refused:
        invitations.invitation_confirm(actor=people.rep, invitation=mine)
    assert refused.value.code == "customers.invitation_closed"
    invite(people.head, shared)  # the department may invite again after a decline


def test_cus_8_out_of_scope_customer_cannot_be_invited(people):
    theirs = customer_of(people.other_rep)
    with pytest.raises(BusinessError) as refused:
        invite(people.rep, theirs)
    assert refused.value.code == "core.not_found"


def test_cus_8_api_refuses_a_taken_customer_with_409_naming_the_department(people, shared, api_as):
    first = api_as("rep").post(
        "/api/v1/invitations/",
        {"customer": shared.pk, "event_name": EVENT, "event_date": "2026-03-15", "confirmed": True},
        format="json",
    )
    assert first.status_code == 201, first.content
    assert first.json()["counts_for_date"]
    taken = api_as("director").post(
        "/api/v1/invitations/", {"customer": shared.pk, "event_name": EVENT, "event_date": "2026-03-15"}, format="json"
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "customers.invitation_taken" and "国内部" in taken.json()["message"]
    assert api_as("other_rep").get(f"/api/v1/invitations/{first.json()['id']}/").status_code == 404


def test_cus_8_api_conflicts_and_resolve(people, shared, api_as):
    a = invite(people.rep, shared)
    invite(people.director, shared, at(2026, 3, 2, 19, 0))
    listed = api_as("director").get("/api/v1/invitations/conflicts/")
    assert listed.status_code == 200 and listed.json()[0]["suggested"] == a.pk
    resolved = api_as("director").post(f"/api/v1/invitations/{a.pk}/resolve/", {"note": "ok"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "confirmed"
    assert api_as("rep").post(f"/api/v1/invitations/{a.pk}/resolve/", {}, format="json").status_code in (403, 404)


def test_cus_8_coordinator_page_lists_and_resolves(people, shared, client):
    a = invite(people.rep, shared)
    invite(people.director, shared)
    client.force_login(people.director)
    page = client.get("/customers/invitations/conflicts/")
    assert page.status_code == 200 and EVENT.encode() in page.content
    client.post("/customers/invitations/conflicts/", {"winner": a.pk, "note": "先报先得"})
    a.refresh_from_db()
    assert a.status == Invitation.Status.CONFIRMED
    client.force_login(people.rep)
    assert client.get("/customers/invitations/conflicts/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cus_8_departments_confirming_at_once_get_one_winner_and_a_clear_refusal(people):
    import threading

    from django.db import connection

    customer = customer_of(people.rep)
    actors = [people.rep, people.director, people.rep, people.director]
    barrier = threading.Barrier(len(actors))
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm(actor) -> None:
        try:
            barrier.wait()
            try:
                invitations.invitation_create(
                    actor=actor, customer=customer, event_name=EVENT, event_date=EVENT_DAY, confirmed=True
                )
                outcome = "ok"
            except BusinessError as error:
                outcome = error.code
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} <= {"customers.invitation_taken", "customers.invitation_duplicate"}
    assert Invitation.objects.filter(status=Invitation.Status.CONFIRMED).count() == 1
