"""Database plumbing for the benchmark: create the database, drop and rebuild secondary indexes.

Secondary indexes and foreign keys are read from the catalog before the load and recreated
from their own definitions after it, so whatever indexes the migrations define (today's and
tomorrow's) are the ones measured.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class Deferred:
    table: str
    name: str
    kind: str  # "index" or "constraint"
    definition: str


def ensure_database(admin_url: str, name: str, template: str) -> bool:
    """Create ``name`` from ``template`` unless it exists; True when it was created."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        for attempt in range(10):
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                return True
            except psycopg.errors.ObjectInUse:
                # Another session is connected to the template for a moment (a test run cloning it).
                time.sleep(1 + attempt)
        raise RuntimeError(f"template {template} stayed in use; could not create {name}")


def capture_deferred(conn: psycopg.Connection, tables: list[str]) -> list[Deferred]:
    """Foreign keys, unique constraints and plain indexes of ``tables`` (primary keys and checks stay)."""
    items: list[Deferred] = []
    rows = conn.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u', 'x')
        ORDER BY c.contype DESC, c.conname
        """,
        [tables],
    ).fetchall()
    items += [Deferred(t, n, "constraint", d) for t, n, d in rows]
    rows = conn.execute(
        """
        SELECT i.indrelid::regclass::text, ic.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY ic.relname
        """,
        [tables],
    ).fetchall()
    items += [Deferred(t, n, "index", d) for t, n, d in rows]
    return items


def drop_deferred(conn: psycopg.Connection, items: list[Deferred]) -> None:
    for item in items:
        if item.kind == "constraint":
            conn.execute(f'ALTER TABLE {item.table} DROP CONSTRAINT IF EXISTS "{item.name}"')
    for item in items:
        if item.kind == "index":
            conn.execute(f'DROP INDEX IF EXISTS "{item.name}"')


def _build(url: str, statements: list[tuple[str, str]]) -> list[tuple[str, float]]:
    timings = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 0")
        for label, sql in statements:
            started = time.perf_counter()
            conn.execute(sql)
            timings.append((label, time.perf_counter() - started))
    return timings


def rebuild_deferred(url: str, items: list[Deferred], workers: int = 2) -> list[tuple[str, float]]:
    """Indexes first, ``workers`` at a time (their SHARE locks coexist), then constraints one by one."""
    indexes = [(i.name, i.definition) for i in items if i.kind == "index"]
    # Largest tables first so the two builders finish together.
    indexes.sort(key=lambda s: ("activities" not in s[1], "gin" not in s[1]))
    lanes: list[list[tuple[str, str]]] = [[] for _ in range(workers)]
    for n, stmt in enumerate(indexes):
        lanes[n % workers].append(stmt)
    timings: list[tuple[str, float]] = []
    with ThreadPoolExecutor(workers) as pool:
        for result in pool.map(lambda lane: _build(url, lane), lanes):
            timings += result
    constraints = [
        (i.name, f'ALTER TABLE {i.table} ADD CONSTRAINT "{i.name}" {i.definition}')
        for i in items
        if i.kind == "constraint"
    ]
    # Unique constraints before the foreign keys that may rely on them.
    constraints.sort(key=lambda s: "FOREIGN KEY" in s[1])
    timings += _build(url, constraints)
    return timings


def reset_sequences(conn: psycopg.Connection, tables: list[str]) -> None:
    for table in tables:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
        )
