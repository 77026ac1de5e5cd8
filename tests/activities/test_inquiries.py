"""ACT-5 inbound inquiries: fair, deterministic, race-safe distribution; audit log; intake API; follow-up."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from tests.factories import AssignmentFactory, CustomerFactory, PositionFactory, UserFactory
from yingxiao.activities import errors
from yingxiao.activities.inquiries import inquiry_follow_up, inquiry_reassign, inquiry_receive
from yingxiao.activities.models import Inquiry, InquiryAssignment, InquiryEvent, InquiryTeam
from yingxiao.core.errors import CONFLICT, NOT_FOUND, PERMISSION_DENIED, BusinessError
from yingxiao.core.models import Notification
from yingxiao.customers.models import CustomerIdentity
from yingxiao.org.models import Role, User

INQUIRY_PERMS = ("view_inquiry", "add_inquiry", "change_inquiry")


def grant_inquiry_permissions() -> None:
    """What the standard roles are asked to carry (see the report): reps view, heads change, intake adds."""
    perms = {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="activities", codename__in=INQUIRY_PERMS)
    }
    for role in Role.objects.all():
        role.permissions.add(perms["view_inquiry"])
    for code in ("department_head", "sales_director", "admin"):
        Role.objects.get(code=code).permissions.add(perms["change_inquiry"], perms["add_inquiry"])


@pytest.fixture
def team(personas):
    """国际部 with three foreign-trade reps (other_rep plus two), receiving the international mailbox."""
    grant_inquiry_permissions()
    post = PositionFactory(title="外贸业务员2", department=personas.international)
    members = [personas.other_rep]
    for name in ("intl_a", "intl_b"):
        user = UserFactory(username=name, display_name=name)
        AssignmentFactory(user=user, position=post)
        members.append(user)
    InquiryTeam.objects.create(channel=Inquiry.Channel.INTERNATIONAL_MAILBOX, department=personas.international)
    return members


def receive(actor, n=1, **extra):
    values = {"channel": Inquiry.Channel.INTERNATIONAL_MAILBOX, "subject": "Request for quotation"}
    values.update(extra)
    return inquiry_receive(actor=actor, **values)


@pytest.mark.django_db
def test_act_5_inquiries_are_spread_evenly_over_the_team(personas, team):
    for n in range(9):
        receive(personas.admin, subject=f"RFQ {n}")
    counts = Counter(Inquiry.objects.values_list("assigned_to", flat=True))
    assert sorted(counts.values()) == [3, 3, 3]
    assert set(counts) == {u.pk for u in team}
    # the department head (国际部经理) is not in the rotation while staff are available
    assert InquiryAssignment.objects.count() == 9


@pytest.mark.django_db
def test_act_5_fewest_open_wins_then_longest_waiting_and_the_choice_is_logged(
    personas, team, django_capture_on_commit_callbacks
):
    first, second, third = (receive(personas.admin, subject=f"RFQ {n}")[0] for n in range(3))
    assert [i.assigned_to_id for i in (first, second, third)] == sorted(u.pk for u in team)
    inquiry_follow_up(actor=first.assigned_to, inquiry=first, status="closed", note="垃圾邮件")
    fourth, _created = receive(personas.admin, subject="RFQ 4")
    assert fourth.assigned_to_id == first.assigned_to_id  # now the only one with no open inquiry
    with django_capture_on_commit_callbacks(execute=True):
        fifth, _created = receive(personas.admin, subject="RFQ 5")
    # all have one open: the one assigned longest ago (second's assignee) is next
    assert fifth.assigned_to_id == second.assigned_to_id
    log = InquiryAssignment.objects.get(inquiry=fifth)
    assert log.reason == "auto" and log.assigned_by == personas.admin
    snapshot = {c["user"]: c["open"] for c in log.candidates}
    assert snapshot == {u.pk: 1 for u in team}
    assert Notification.objects.filter(recipient=fifth.assigned_to, link__contains=str(fifth.pk)).exists()


@pytest.mark.django_db
def test_act_5_absent_members_are_skipped(personas, team):
    personas.other_rep.status = User.Status.ABSENT
    personas.other_rep.save()
    for n in range(4):
        receive(personas.admin, subject=f"RFQ {n}")
    assert personas.other_rep.pk not in set(Inquiry.objects.values_list("assigned_to", flat=True))


@pytest.mark.django_db
def test_act_5_same_mail_twice_is_one_inquiry_and_sender_matches_a_customer(personas, team):
    customer = CustomerFactory(owner=personas.other_rep, department=personas.international)
    CustomerIdentity.objects.create(customer=customer, kind="email", value="buyer@example.com")
    one, created = receive(personas.admin, external_id="<abc@mail>", sender_email="Buyer@Example.com")
    again, created_again = receive(personas.admin, external_id="<abc@mail>", sender_email="Buyer@Example.com")
    assert (created, created_again, one.pk) == (True, False, again.pk)
    assert one.customer_id == customer.pk and Inquiry.objects.count() == 1


@pytest.mark.django_db
def test_act_5_bad_intake_is_refused_and_nothing_written(personas, team):
    for kwargs, code in (
        ({"channel": "fax"}, errors.INQUIRY_UNKNOWN_CHANNEL),
        ({"subject": "  "}, errors.INQUIRY_SUBJECT_REQUIRED),
        ({"channel": Inquiry.Channel.WEBSITE}, errors.INQUIRY_NO_TEAM),
    ):
        with pytest.raises(BusinessError) as caught:
            receive(personas.admin, **kwargs)
        assert caught.value.error == code
    with pytest.raises(BusinessError) as caught:
        receive(personas.finance)
    assert caught.value.error == PERMISSION_DENIED
    assert not Inquiry.objects.exists() and not InquiryAssignment.objects.exists()


@pytest.mark.django_db
def test_act_5_follow_up_transitions_by_the_assignee_only(personas, team):
    inquiry, _ = receive(personas.admin)
    assignee = inquiry.assigned_to
    someone_else = next(u for u in team if u != assignee)
    with pytest.raises(BusinessError) as caught:
        inquiry_follow_up(actor=someone_else, inquiry=inquiry, status="following", note="x")
    assert caught.value.error in (errors.INQUIRY_NOT_ASSIGNEE, NOT_FOUND)
    with pytest.raises(BusinessError) as caught:
        inquiry_follow_up(actor=assignee, inquiry=inquiry, status="following", note=" ")
    assert caught.value.error == errors.INQUIRY_NOTE_REQUIRED
    inquiry_follow_up(actor=assignee, inquiry=inquiry, status="following", note="已回复报价")
    done = inquiry_follow_up(actor=assignee, inquiry=inquiry, status="closed", note="客户已下单")
    assert done.status == "closed"
    with pytest.raises(BusinessError) as caught:
        inquiry_follow_up(actor=assignee, inquiry=inquiry, status="following", note="again")
    assert caught.value.error == errors.INQUIRY_BAD_TRANSITION
    assert list(InquiryEvent.objects.values_list("from_status", "to_status")) == [
        ("new", "following"),
        ("following", "closed"),
    ]


@pytest.mark.django_db
def test_act_5_a_follow_up_on_a_stale_copy_is_refused(personas, team):
    inquiry, _ = receive(personas.admin)
    stale = Inquiry.objects.get(pk=inquiry.pk)
    inquiry_follow_up(actor=inquiry.assigned_to, inquiry=inquiry, status="closed", note="done")
    with pytest.raises(BusinessError) as caught:
        inquiry_follow_up(actor=inquiry.assigned_to, inquiry=stale, status="following", note="x")
    assert caught.value.error in (errors.INQUIRY_BAD_TRANSITION, CONFLICT)
    assert Inquiry.objects.get(pk=inquiry.pk).status == "closed"


@pytest.mark.django_db
def test_act_5_manager_reassigns_and_it_is_logged(personas, team):
    inquiry, _ = receive(personas.admin)
    target = next(u for u in team if u != inquiry.assigned_to)
    moved = inquiry_reassign(actor=personas.director, inquiry=inquiry, to=target, note="熟悉该市场")
    assert moved.assigned_to == target
    assert list(InquiryAssignment.objects.filter(inquiry=inquiry).values_list("reason", flat=True)) == [
        "manual",
        "auto",
    ]


@pytest.mark.django_db
def test_act_5_inquiries_are_scoped(personas, team, api_as):
    inquiry, _ = receive(personas.admin)
    assignee = inquiry.assigned_to
    outsider = next(u for u in team if u != assignee)
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    client.force_authenticate(assignee)
    assert client.get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 200
    assert api_as("rep").get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    assert api_as("director").get("/api/v1/inquiries/").json()["count"] == 1


@pytest.mark.django_db
def test_act_5_intake_api_and_follow_up_api(personas, team, api_as):
    body = {"channel": "intl_mailbox", "subject": "RFQ 500 pcs", "sender_email": "a@b.com", "external_id": "m-1"}
    created = api_as("admin").post("/api/v1/inquiries/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["assignments"][0]["reason"] == "auto"
    assert api_as("admin").post("/api/v1/inquiries/", body, format="json").status_code == 200
    refused = api_as("rep").post("/api/v1/inquiries/", body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "core.permission_denied"
    bad = api_as("admin").post("/api/v1/inquiries/", {**body, "channel": "fax"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "activities.inquiry_unknown_channel"
    inquiry = Inquiry.objects.get()
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(inquiry.assigned_to)
    moved = client.post(
        f"/api/v1/inquiries/{inquiry.pk}/follow-up/", {"status": "following", "note": "回复"}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["status"] == "following"


@pytest.mark.django_db
def test_act_5_inquiry_pages(personas, team, client):
    inquiry, _ = receive(personas.admin, subject="=HYPERLINK(1)")
    client.force_login(inquiry.assigned_to)
    listing = client.get(reverse("activities:inquiries"))
    assert listing.status_code == 200 and "=HYPERLINK(1)" in listing.content.decode()
    detail = client.get(reverse("activities:inquiry", args=[inquiry.pk]))
    assert detail.status_code == 200 and 'data-testid="assignment-log"' in detail.content.decode()
    refused = client.post(reverse("activities:inquiry", args=[inquiry.pk]), {"status": "following", "note": ""})
    assert refused.status_code == 400
    done = client.post(reverse("activities:inquiry", args=[inquiry.pk]), {"status": "following", "note": "已联系"})
    assert done.status_code == 302
    client.force_login(personas.rep)
    assert client.get(reverse("activities:inquiry", args=[inquiry.pk])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_act_5_concurrent_arrivals_are_still_spread_evenly(personas, team):
    barrier = threading.Barrier(9)
    failures: list[BaseException] = []

    def arrive(n: int) -> None:
        try:
            barrier.wait()
            receive(personas.admin, subject=f"RFQ {n}")
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive, args=(n,)) for n in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(Counter(Inquiry.objects.values_list("assigned_to", flat=True)).values()) == [3, 3, 3]
