"""Drive real task workers against a database shared with the test: ``python -m tests.policy.harness CMD``.

The environment names the database (DATABASE_URL) and, for Redis mode, REDIS_URL and
TASKS_QUEUES. Commands print one JSON line.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from tests.policy import sample_rules
    from yingxiao.core.models import Notification
    from yingxiao.core.tasks import reap_stale_db_tasks
    from yingxiao.org.models import User
    from yingxiao.policy.models import RuleResult
    from yingxiao.policy.tasks import run_rule_sweep

    sample_rules.install()
    command, args = argv[0], argv[1:]
    queue = os.environ.get("TASKS_QUEUES", "default").split(",")[-1]
    if command == "reset":
        from django_tasks_db.models import DBTaskResult

        from yingxiao.policy.models import RuleRun

        Notification.objects.all().delete()
        RuleResult.objects.all().delete()
        RuleRun.objects.all().delete()
        User.objects.filter(username__startswith="sweep-").delete()
        DBTaskResult.objects.all().delete()
        print(json.dumps({"reset": True}))
    elif command == "seed":
        User.objects.bulk_create([User(username=f"sweep-{i}", display_name=f"S{i}") for i in range(int(args[0]))])
        print(json.dumps({"users": User.objects.filter(username__startswith="sweep-").count()}))
    elif command == "enqueue":
        result = run_rule_sweep.using(queue_name=queue).enqueue(rule_id=sample_rules.RULE_ID)
        print(json.dumps({"id": str(result.id)}))
    elif command == "db_worker":
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--queue-name", queue, *args)
    elif command == "rqworker":
        call_command("rqworker", queue, "--job-class", "django_tasks_rq.backend.Job", "--burst", *args)
    elif command == "reap":
        print(json.dumps(reap_stale_db_tasks(stale_after=__import__("datetime").timedelta(0))))
    elif command == "stats":
        results = RuleResult.objects.filter(rule_id=sample_rules.RULE_ID)
        per_user = Notification.objects.values("recipient").annotate(n=Count("id"))
        from django_tasks_db.models import DBTaskResult

        print(
            json.dumps(
                {
                    "results": results.count(),
                    "keys": results.values("breach_key").distinct().count(),
                    "applied": results.filter(outcome="applied").count(),
                    "pending": results.filter(outcome="pending").count(),
                    "notified": per_user.count(),
                    "max_per_user": max((row["n"] for row in per_user), default=0),
                    "tasks": dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id"))),
                }
            )
        )
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
