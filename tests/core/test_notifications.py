"""In-app notifications: notify(), the unread badge, the list page and "mark read"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from yingxiao.core.models import Notification
from yingxiao.core.notifications import notification_mark_read, notify, unread_count

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_notify_stores_message_link_and_actor(personas):
    note = notify(personas.rep, message="客户甲有新留言", link="/customers/1/", actor=personas.head)
    assert note.recipient == personas.rep and note.actor == personas.head
    assert (note.message, note.link, note.read_at) == ("客户甲有新留言", "/customers/1/", None)


def test_notify_renders_lazy_messages_in_the_company_language(personas):
    with translation.override("en"):  # the requester reads English; the company default is zh-hans
        note = notify(personas.rep, message=gettext_lazy("This field is required."))
    assert note.message == "该字段是必填项。"


def test_notify_without_a_recipient_or_to_someone_inactive_does_nothing(personas):
    assert notify(None, message="x") is None
    personas.rep.is_active = False
    personas.rep.save(update_fields=["is_active"])
    assert notify(personas.rep, message="x") is None
    assert not Notification.objects.exists()


def test_notify_truncates_an_overlong_message(personas):
    note = notify(personas.rep, message="长" * 2000)
    assert len(note.message) == 500


def test_mark_read_touches_only_the_actors_own_notifications(personas):
    mine = notify(personas.rep, message="a")
    notify(personas.rep, message="b")
    theirs = notify(personas.teammate, message="c")
    assert unread_count(personas.rep) == 2
    assert notification_mark_read(actor=personas.rep, ids=[mine.pk, theirs.pk]) == 1
    assert unread_count(personas.rep) == 1 and unread_count(personas.teammate) == 1
    assert notification_mark_read(actor=personas.rep) == 1
    assert unread_count(personas.rep) == 0


def test_badge_shows_the_unread_count(personas):
    client = _client(personas.rep)
    html = client.get(reverse("notifications:badge")).content.decode()
    assert 'data-testid="notifications-unread"' not in html
    notify(personas.rep, message="a")
    notify(personas.rep, message="b")
    html = client.get(reverse("notifications:badge")).content.decode()
    assert 'data-testid="notifications-unread">2' in html


def test_list_page_shows_only_my_notifications_and_marks_read(personas):
    note = notify(personas.rep, message="给张三的通知", link="/activities/")
    notify(personas.teammate, message="给李四的通知")
    client = _client(personas.rep)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "给张三的通知" in html and "给李四的通知" not in html
    assert "<script>" not in html and "style=" not in html
    response = client.post(reverse("notifications:read", args=[note.pk]), {"next": "/activities/"})
    assert response.status_code == 302 and response["Location"] == "/activities/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_ignores_an_offsite_next_and_other_peoples_ids(personas):
    theirs = notify(personas.teammate, message="x")
    client = _client(personas.rep)
    response = client.post(reverse("notifications:read", args=[theirs.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:list")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(personas):
    notify(personas.rep, message="a")
    notify(personas.rep, message="b")
    response = _client(personas.rep).post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert unread_count(personas.rep) == 0


def test_notification_pages_need_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_notification_list_query_count_does_not_grow(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(personas.rep)
    notify(personas.rep, message="a", actor=personas.head)
    client.get(reverse("notifications:list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("notifications:list"))
    for i in range(10):
        notify(personas.rep, message=f"n{i}", actor=personas.director)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:list"))
    assert len(many) == len(one)


def test_a_notification_is_also_e_mailed_through_the_task_queue(
    personas, django_capture_on_commit_callbacks, mailoutbox
):
    from django.test import override_settings

    from yingxiao.core.notifications import notify

    personas.rep.email = "zhangsan@example.com"
    personas.rep.save(update_fields=["email"])
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate), django_capture_on_commit_callbacks(execute=True):
        notify(personas.rep, message="客户甲将于 7 天后释放到公海", link="/customers/1/")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["zhangsan@example.com"]
    assert "客户甲" in mailoutbox[0].body
