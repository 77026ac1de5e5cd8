"""Browser: the director shortens the CUS-7 window, previews and applies the release, a rep claims
the released customer, and a blacklist request (CUS-3) is approved from the approval inbox."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tests.customers.test_pool import grant_pool_permissions
from tests.factories import CustomerFactory
from tests.personas import build_personas
from yingxiao.customers.models import BlacklistRecord, Customer

pytestmark = pytest.mark.django_db(transaction=True)


def _logout(page) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(lambda url: "/login/" in url)


def test_cus_7_director_previews_and_applies_rep_claims_cus_3_blacklist_approved(page, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    people = build_personas()
    grant_pool_permissions()
    now = timezone.now()
    due = CustomerFactory(
        owner=people.other_rep,
        department=people.international,
        name="七十天未服务公司",
        registered_at=now - dt.timedelta(days=300),
        last_served_at=now - dt.timedelta(days=70),
    )
    bad = CustomerFactory(owner=people.rep, department=people.domestic, name="恶意拖欠公司")
    page.on("dialog", lambda dialog: dialog.accept())

    # The director shortens the service window from 90 to 60 days.
    login(page, "director")
    page.goto("/policy/service_window_days/")
    page.fill("#id_value", "60")
    page.fill("#id_reason", "公海试行60天")
    page.get_by_test_id("policy-change-form").locator("button[type=submit]").click()
    assert page.get_by_test_id("policy-value").inner_text().startswith("60")

    # Preview: who drops into the pool as of today — and why.
    page.goto("/customers/pool/")
    page.fill("#id_as_of", timezone.localdate().isoformat())
    page.get_by_test_id("pool-preview").click()
    preview = page.get_by_test_id("preview-result")
    preview.wait_for()
    assert "七十天未服务公司" in preview.inner_text()
    assert page.get_by_test_id("preview-count").inner_text() == "1"
    assert Customer.objects.get(pk=due.pk).owner_id == people.other_rep.pk  # a preview changes nothing

    # Apply now: the sweep runs through the task queue (immediate backend here).
    page.get_by_test_id("pool-apply").click()
    page.get_by_test_id("sweep-done").wait_for()
    assert Customer.objects.get(pk=due.pk).owner_id is None
    _logout(page)

    # A rep claims the released customer from the pool page.
    login(page, "rep")
    page.goto("/customers/pool/")
    row = page.get_by_test_id("pool-row").filter(has_text="七十天未服务公司")
    assert "CUS-7" in row.inner_text()
    row.get_by_test_id("pool-claim").click()
    page.get_by_test_id("claim-ok").wait_for()
    assert Customer.objects.get(pk=due.pk).owner_id == people.rep.pk

    # The rep asks for a blacklist; the director approves it from the inbox.
    page.goto(f"/customers/{bad.pk}/")
    page.get_by_test_id("blacklist-request").locator("summary").click()
    page.fill("#id_reason", "恶意拖欠货款三个月")
    page.get_by_test_id("blacklist-submit").click()
    page.get_by_test_id("blacklist-pending").wait_for()
    _logout(page)

    login(page, "director")
    page.goto("/approvals/")
    page.get_by_test_id("approval-list").get_by_role("link", name="恶意拖欠公司").click()
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-form").locator("button[type=submit]").click()
    page.goto(f"/customers/{bad.pk}/")
    banner = page.get_by_test_id("blacklist-banner")
    assert "恶意拖欠货款三个月" in banner.inner_text() and "王总监" in banner.inner_text()
    assert Customer.objects.get(pk=bad.pk).is_blacklisted
    assert BlacklistRecord.objects.get(customer=bad).decided_by_id == people.director.pk
