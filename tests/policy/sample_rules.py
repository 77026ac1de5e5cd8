"""A throw-away rule for engine tests: every active user named ``sweep-*`` gets one reminder.

Env hooks for crash tests (read in the worker process): ``YX_SWEEP_CRASH_AFTER=n`` kills the
process with SIGKILL at its n-th apply (mid-transaction); ``YX_SWEEP_SLOW=seconds`` sleeps per apply.
"""

from __future__ import annotations

import os
import signal
import time

from yingxiao.core.notifications import notify
from yingxiao.org.models import User
from yingxiao.policy.registry import Action, Finding, Rule, register, unregister

RULE_ID = "TST-1"
_applied_here = 0


class SampleReminder(Rule):
    id = RULE_ID
    title = "Sample reminder"
    params = ("service_window_days",)
    action = Action.REMIND
    subject_model = "org.User"
    explanation = "%(username)s needs a reminder within %(service_window_days)s days."
    batch_size = 5

    def check(self, as_of):
        rows = User.objects.filter(username__startswith="sweep-", is_active=True).order_by("pk")
        for pk, username in rows.values_list("pk", "username").iterator(chunk_size=500):
            yield Finding(subject_id=pk, key=as_of.date().isoformat(), person_id=pk, facts={"username": username})

    def apply(self, finding):
        global _applied_here
        _applied_here += 1
        crash_after = int(os.environ.get("YX_SWEEP_CRASH_AFTER", "0"))
        if crash_after and _applied_here >= crash_after:
            os.kill(os.getpid(), signal.SIGKILL)
        if slow := float(os.environ.get("YX_SWEEP_SLOW", "0")):
            time.sleep(slow)
        notify(User.objects.get(pk=finding.person_id), message=finding.explanation)
        return True


def install() -> None:
    register(SampleReminder)


def uninstall() -> None:
    unregister(RULE_ID)
