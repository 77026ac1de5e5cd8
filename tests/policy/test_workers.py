"""Sweeps through REAL workers: django-tasks-db's ``db_worker`` and an RQ worker on Redis.

The workers are subprocesses sharing a database with the test (a migrated SQLite file, or the
PostgreSQL test database), driven by ``tests.policy.harness``. The crash tests SIGKILL the worker
mid-sweep (inside a chunk's transaction) and restart it: each breach is recorded and applied once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379"


def _run(env: dict[str, str], *args: str, check: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.policy.harness", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def _json(env: dict[str, str], *args: str) -> dict:
    return json.loads(_run(env, *args).stdout.strip().splitlines()[-1])


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("YX_", "REDIS_URL", "TASKS_QUEUES"))}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    if connection.vendor == "postgresql":
        return None
    url = f"sqlite:///{tmp_path_factory.mktemp('workers') / 'db.sqlite3'}"
    env = {**_base_env(), "DATABASE_URL": url, "TEST_SYNCDB": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--run-syncdb", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    return url


@pytest.fixture
def worker_env(request: pytest.FixtureRequest, sqlite_file: str | None) -> dict[str, str]:
    if sqlite_file:
        url = sqlite_file
    else:
        request.getfixturevalue("transactional_db")
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {**_base_env(), "DATABASE_URL": url}
    _json(env, "reset")
    return env


@pytest.fixture
def redis_env(worker_env: dict[str, str]):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(f"{REDIS}/0")
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    queue = f"yxpolicy_{uuid.uuid4().hex[:12]}"  # unique per test run, removed afterwards
    yield {**worker_env, "REDIS_URL": f"{REDIS}/0", "TASKS_QUEUES": queue}
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)


def test_db_worker_runs_the_sweep_task(worker_env) -> None:
    _json(worker_env, "seed", "12")
    _json(worker_env, "enqueue")
    _run(worker_env, "db_worker")
    stats = _json(worker_env, "stats")
    assert (stats["results"], stats["applied"], stats["max_per_user"]) == (12, 12, 1)
    assert stats["tasks"] == {"SUCCESSFUL": 1}


def test_rq_worker_runs_the_sweep_task(redis_env) -> None:
    _json(redis_env, "seed", "12")
    _json(redis_env, "enqueue")
    _run(redis_env, "rqworker")
    stats = _json(redis_env, "stats")
    assert (stats["results"], stats["applied"], stats["max_per_user"]) == (12, 12, 1)


def test_db_worker_killed_mid_sweep_then_reaped_and_restarted_records_each_breach_once(worker_env) -> None:
    _json(worker_env, "seed", "30")
    _json(worker_env, "enqueue")
    crashed = _run({**worker_env, "YX_SWEEP_CRASH_AFTER": "12"}, "db_worker", check=False)
    assert crashed.returncode == -9, crashed.stderr
    stats = _json(worker_env, "stats")
    assert stats["results"] == 30 and 0 < stats["applied"] < 30 and stats["pending"] > 0
    assert stats["tasks"] == {"RUNNING": 1}  # the dead worker's task is stuck
    assert _json(worker_env, "reap") == {"retried": 1, "failed": 0}
    _run(worker_env, "db_worker")
    stats = _json(worker_env, "stats")
    assert (stats["results"], stats["keys"], stats["applied"], stats["pending"]) == (30, 30, 30, 0)
    assert (stats["notified"], stats["max_per_user"]) == (30, 1)
    assert stats["tasks"] == {"SUCCESSFUL": 1}
    # and a later sweep for the same period finds them all again but records nothing new
    _json(worker_env, "enqueue")
    _run(worker_env, "db_worker")
    stats = _json(worker_env, "stats")
    assert (stats["results"], stats["notified"], stats["max_per_user"]) == (30, 30, 1)


def test_rq_worker_killed_mid_sweep_then_rerun_records_each_breach_once(redis_env) -> None:
    _json(redis_env, "seed", "30")
    _json(redis_env, "enqueue")
    _run({**redis_env, "YX_SWEEP_CRASH_AFTER": "12"}, "rqworker", check=False)  # the work horse is SIGKILLed
    stats = _json(redis_env, "stats")
    assert stats["results"] == 30 and 0 < stats["applied"] < 30
    _json(redis_env, "enqueue")  # the next scheduled sweep
    _run(redis_env, "rqworker")
    stats = _json(redis_env, "stats")
    assert (stats["results"], stats["applied"], stats["notified"], stats["max_per_user"]) == (30, 30, 30, 1)
