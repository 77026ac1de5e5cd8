"""Generate customers, CUS-2 identities and activities with COPY (psycopg 3 ``cursor.copy``).

Columns are taken from the models at run time: every concrete field gets a generated value when
the generator knows it, the search helpers are computed with ``customers.normalize`` exactly as
the shared contract says, and a field the generator does not know gets its model default. The
name-derived columns (normalised name, pinyin) are computed in a process pool on both cores while
the main process writes the COPY stream.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import models

from yingxiao.activities.models import Activity
from yingxiao.customers import normalize
from yingxiao.customers.models import Customer, CustomerIdentity

from . import names as N
from .org import BenchOrg
from .schema import capture_deferred, drop_deferred, rebuild_deferred, reset_sequences

GENERATOR_VERSION = "2"
TABLES = [Customer._meta.db_table, CustomerIdentity._meta.db_table, Activity._meta.db_table]
CHUNK = 5000
TZ = dt.timezone(dt.timedelta(hours=8))


# --- derived (search helper) columns ------------------------------------------------------------
def _contract_fields(name: str, phone: str) -> dict[str, str]:
    """The shared contract's helper columns, when the customers app offers no bulk helper."""
    full, initials = normalize.pinyin_forms(name)
    return {
        "name_normalized": normalize.normalize_name(name),
        "name_pinyin": full,
        "name_initials": initials,
        "phone_normalized": normalize.normalize_phone(phone),
    }


def search_fields_function() -> Callable[[str, str], dict[str, str]]:
    """``customers.search.search_fields`` (every helper column, incl. ones added later) or the contract."""
    try:
        from yingxiao.customers.search import search_fields
    except ImportError:
        return _contract_fields
    return search_fields


def derive_signature() -> str:
    """Changes when the helper columns would come out differently (then the data is regenerated).

    Behavioural, not textual: the outputs for a fixed sample of names and phones are hashed, so
    editing unrelated search code does not force a 10-minute regeneration.
    """
    import hashlib

    derive = search_fields_function()
    sample = [("杭州華東機械 有限責任公司", "+86 139-1234 5678"), ("重庆重工股份有限公司", "0571-87654321")]
    sample += [("张建国", "13800001111"), ("ABC机械 Co., Ltd.", "(021) 6234 5678"), ("長城科技集團", "")]
    outputs = [sorted(derive(name, phone).items()) for name, phone in sample]
    return hashlib.sha256(json.dumps(outputs, ensure_ascii=False).encode()).hexdigest()[:16]


def _derive_chunk(chunk: list[tuple[str, str]]) -> list[dict[str, str]]:
    derive = search_fields_function()
    return [derive(name, phone) for name, phone in chunk]


# --- COPY text format ---------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    s = str(value)
    if any(c in s for c in "\t\n\r\\"):
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


class Clock:
    """Fast timestamptz text for epoch seconds (Asia/Shanghai offset), with a per-day cache."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, t: int) -> str:
        local = t + 8 * 3600
        day, sec = divmod(local, 86400)
        d = self._days.get(day)
        if d is None:
            d = self._days[day] = dt.date.fromordinal(day + 719163).isoformat()
        h, rem = divmod(sec, 3600)
        m, s = divmod(rem, 60)
        return f"{d} {h:02d}:{m:02d}:{s:02d}+08"


def model_columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def columns_signature() -> dict[str, Any]:
    columns = {m._meta.db_table: [f.column for f in model_columns(m)] for m in (Customer, CustomerIdentity, Activity)}
    return {"columns": columns, "derive": derive_signature()}


def _defaults(fields: list[models.Field], known: set[str]) -> dict[str, str]:
    """Text of the default of every column the generator does not fill itself."""
    out = {}
    for f in fields:
        if f.attname in known or f.name in known:
            continue
        out[f.attname] = _text(f.get_default() if f.has_default() or not f.null else None)
    return out


@dataclass
class CopyStat:
    table: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Plan:
    """What pass 1 (customers) leaves for pass 2 (activities): per customer, index = id - 1."""

    reg: list[int] = field(default_factory=list)
    span: list[int] = field(default_factory=list)
    count: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)


class Writer:
    """Batches COPY text lines and writes them in blocks of about 1 MB."""

    def __init__(self, copy: Any) -> None:
        self.copy = copy
        self.buf: list[str] = []
        self.size = 0
        self.rows = 0

    def add(self, line: str) -> None:
        self.buf.append(line)
        self.size += len(line)
        self.rows += 1
        if self.size > 400_000:
            self.flush()

    def flush(self) -> None:
        if self.buf:
            self.copy.write("".join(self.buf).encode())
            self.buf.clear()
            self.size = 0


def _weighted_owner_picker(rng: random.Random, org: BenchOrg) -> Callable[[], tuple[int | None, int | None]]:
    weights = [rng.lognormvariate(0, 0.45) for _ in org.reps]
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    import bisect

    reps = org.reps

    def pick() -> tuple[int | None, int | None]:
        if rng.random() < 0.05:  # public pool (公海): nobody owns it
            return None, None
        return reps[bisect.bisect_left(cum, rng.random() * total)]

    return pick


def _activity_counts(rng: random.Random, n: int, total: int) -> list[int]:
    """Skewed counts (exponential, many small, a few with hundreds) adjusted to sum to ``total``."""
    mean = total / n
    counts = [min(int(rng.expovariate(1 / mean)), int(mean * 25)) for _ in range(n)]
    diff = total - sum(counts)
    step = 1 if diff > 0 else -1
    while diff:
        i = rng.randrange(n)
        if step < 0 and counts[i] == 0:
            continue
        counts[i] += step
        diff -= step
    return counts


def copy_customers(
    conn: psycopg.Connection, pool: Any, org: BenchOrg, n: int, activities: int, seed: int
) -> tuple[CopyStat, CopyStat, Plan]:
    """Customers and their identity rows (PHONE, NAME, EMAIL keys), in one pass over the names."""
    rng = random.Random(seed)
    namer, phoner = N.NameMaker(rng), N.PhoneMaker(rng)
    started = time.perf_counter()
    people = [rng.random() < 0.18 for _ in range(n)]
    name_city = [(namer.person(), rng.choice(N.CITIES), "") if p else namer.company() for p in people]
    phones = [phoner.phone(not p) for p in people]
    print(f"  names and phones drawn in {time.perf_counter() - started:.1f}s", flush=True)

    now = int(time.time())
    five_years = 5 * 365 * 86400
    counts = _activity_counts(rng, n, activities)
    pick_owner = _weighted_owner_picker(rng, org)
    plan = Plan()
    clock = Clock()

    c_fields = model_columns(Customer)
    c_cols = [f.column for f in c_fields]
    known = set(search_fields_function()("x", "12345")) | {
        "id", "name", "kind", "industry", "region", "address", "phone", "email", "source", "heard_from",
        "previous_brand", "needs", "grade", "stage", "intent", "credit", "is_blacklisted", "owner_id",
        "department_id", "registered_by_id", "registered_at", "last_served_at", "is_archived",
    }  # fmt: skip
    c_defaults = _defaults(c_fields, known)
    i_fields = model_columns(CustomerIdentity)
    i_cols = [f.column for f in i_fields]
    i_defaults = _defaults(i_fields, {"id", "customer_id", "kind", "value", "contact_id"})
    sources = [s for s, _ in Customer.Source.choices]
    grades, grade_w = ["", "qualified", "preferred", "vip"], [60, 25, 10, 5]
    stages, stage_w = ["potential", "intent", "deal", "lost"], [50, 30, 15, 5]
    intents, intent_w = ["", "A", "B", "C"], [40, 15, 25, 20]
    credits, credit_w = ["unknown", "good", "normal", "poor"], [50, 30, 15, 5]
    brands = ["西门子", "ABB", "施耐德", "三菱", "欧姆龙", "国产品牌", "", "", ""]

    ident_id = 0
    c_started = time.perf_counter()
    # Identity rows wait in an anonymous temporary file until the customers COPY is done.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as ident_file:
        chunks = ([(name_city[j][0], phones[j]) for j in range(i, min(i + CHUNK, n))] for i in range(0, n, CHUNK))
        cols = ", ".join(f'"{c}"' for c in c_cols)
        with conn.cursor().copy(f"COPY {Customer._meta.db_table} ({cols}) FROM STDIN WITH (FREEZE)") as copy:
            w = Writer(copy)
            cid = 0
            for derived_chunk in pool.imap(_derive_chunk, chunks):
                for derived in derived_chunk:
                    name, city, industry = name_city[cid]
                    phone = phones[cid]
                    person = people[cid]
                    cid += 1
                    owner, dept = pick_owner()
                    # Ids follow registration time (rows are inserted as customers register), with
                    # some hours of jitter: the heap is in time order, as in a real archive.
                    reg = now - 86400 - int(five_years * (1 - cid / n)) - rng.randrange(6 * 3600)
                    k = counts[cid - 1]
                    span = int((now - reg) * rng.uniform(0.3, 1.0))
                    plan.reg.append(reg)
                    plan.span.append(span)
                    plan.count.append(k)
                    plan.owner.append(owner or org.reps[cid % len(org.reps)][0])
                    email = ""
                    if rng.random() < 0.3:
                        email = f"{derived['name_initials'] or 'info'}{cid}@{rng.choice(N.EMAIL_DOMAINS)}"
                    values = {
                        "id": cid,
                        "name": name,
                        "kind": "person" if person else "company",
                        "industry": industry,
                        "region": city,
                        "address": N.address_for(rng, city),
                        "phone": phone,
                        "email": email,
                        "source": rng.choice(sources),
                        "heard_from": "",
                        "previous_brand": rng.choice(brands),
                        "needs": rng.choice(N.NEEDS),
                        "grade": rng.choices(grades, grade_w)[0],
                        "stage": rng.choices(stages, stage_w)[0],
                        "intent": rng.choices(intents, intent_w)[0],
                        "credit": rng.choices(credits, credit_w)[0],
                        "is_blacklisted": rng.random() < 0.002,
                        "owner_id": owner,
                        "department_id": dept,
                        "registered_by_id": owner,
                        "registered_at": clock(reg),
                        "last_served_at": clock(reg + span) if k else None,
                        "is_archived": False,
                        **derived,
                    }
                    w.add("\t".join(c_defaults[c] if c in c_defaults else _text(values[c]) for c in c_cols) + "\n")
                    keys = [("name", values["name_normalized"]), ("phone", values["phone_normalized"])]
                    if email:
                        keys.append(("email", normalize.normalize_email(email)))
                    for kind, value in keys:
                        if not value:
                            continue
                        ident_id += 1
                        row = {"id": ident_id, "customer_id": cid, "kind": kind, "value": value, "contact_id": None}
                        ident_file.write(
                            "\t".join(i_defaults[c] if c in i_defaults else _text(row[c]) for c in i_cols) + "\n"
                        )
                if cid % 100_000 == 0:
                    print(f"  customers: {cid:,}", flush=True)
            w.flush()
        c_stat = CopyStat(Customer._meta.db_table, n, time.perf_counter() - c_started)

        i_started = time.perf_counter()
        cols = ", ".join(f'"{c}"' for c in i_cols)
        ident_file.seek(0)
        with conn.cursor().copy(f"COPY {CustomerIdentity._meta.db_table} ({cols}) FROM STDIN WITH (FREEZE)") as copy:
            while block := ident_file.read(1 << 20):
                copy.write(block.encode())
        i_stat = CopyStat(CustomerIdentity._meta.db_table, ident_id, time.perf_counter() - i_started)
    return c_stat, i_stat, plan


def _activity_rows(plan: Plan, org: BenchOrg, rng: random.Random) -> Iterator[tuple[int, ...]]:
    """(customer id, j, time, staff) in rounds: every customer's 1st activity, then every 2nd, …

    Rows therefore land in rough time order rather than clustered by customer. The last activity
    of a customer is at ``reg + span`` (= its ``last_served_at``) and is always a qualifying kind.
    """
    order = sorted(range(len(plan.count)), key=lambda i: -plan.count[i])
    reps = [r for r, _d in org.reps]
    active = len(order)
    j = 0
    while active:
        while active and plan.count[order[active - 1]] <= j:
            active -= 1
        for idx in order[:active]:
            k = plan.count[idx]
            gap = plan.span[idx] / k
            last = j == k - 1
            t = plan.reg[idx] + int(gap * (j + 1) - (0 if last else rng.random() * gap * 0.5))
            staff = plan.owner[idx] if rng.random() < 0.85 else rng.choice(reps)
            yield idx + 1, int(last), t, staff
        j += 1


def copy_activities(conn: psycopg.Connection, org: BenchOrg, plan: Plan, seed: int) -> CopyStat:
    rng = random.Random(seed + 1)
    clock = Clock()
    fields = model_columns(Activity)
    cols = [f.column for f in fields]
    kinds = [k for k, _w in N.ACTIVITY_KINDS]
    weights = [w for _k, w in N.ACTIVITY_KINDS]
    # Pre-draw kinds in a cycle: random.choices per row is the slowest part otherwise.
    kind_pool = rng.choices(kinds, weights, k=65_537)
    defaults = _defaults(
        fields,
        {"id", "customer_id", "contact_id", "staff_id", "kind", "direction", "occurred_at", "subject", "location",
         "purpose", "summary", "result", "duration_minutes", "is_qualifying", "routed_to_id", "created_at"},
    )  # fmt: skip
    # Each column is a slot in a row template; unknown columns carry their default text.
    slots = {c: i for i, c in enumerate(cols)}
    template = [defaults.get(c, "") for c in cols]
    started = time.perf_counter()
    aid = 0
    quoted = ", ".join(f'"{c}"' for c in cols)
    with conn.cursor().copy(f"COPY {Activity._meta.db_table} ({quoted}) FROM STDIN WITH (FREEZE)") as copy:
        w = Writer(copy)
        s_id, s_c, s_contact, s_staff = slots["id"], slots["customer_id"], slots["contact_id"], slots["staff_id"]
        s_kind, s_dir, s_at, s_subj = slots["kind"], slots["direction"], slots["occurred_at"], slots["subject"]
        s_loc, s_pur, s_sum, s_res = slots["location"], slots["purpose"], slots["summary"], slots["result"]
        s_dur, s_q = slots["duration_minutes"], slots["is_qualifying"]
        s_route, s_cr = slots["routed_to_id"], slots["created_at"]
        row = list(template)
        row[s_contact] = row[s_route] = r"\N"
        for customer_id, last, t, staff in _activity_rows(plan, org, rng):
            aid += 1
            kind = "call" if last else kind_pool[aid % 65_537]
            subjects = N.ACTIVITY_SUBJECTS[kind]
            stamp = clock(t)
            row[s_id] = str(aid)
            row[s_c] = str(customer_id)
            row[s_staff] = str(staff)
            row[s_kind] = kind
            row[s_dir] = "in" if aid % 3 == 0 else "out"
            row[s_at] = stamp
            row[s_cr] = stamp
            row[s_subj] = subjects[aid % len(subjects)]
            row[s_loc] = N.LOCATIONS[aid % 7]
            row[s_pur] = N.PURPOSES[aid % 7]
            row[s_sum] = N.SUMMARIES[(aid * 5) % 8]
            row[s_res] = N.RESULTS[(aid * 3) % 8]
            row[s_dur] = str(5 + aid % 55) if kind in ("call", "visit", "home_visit") else r"\N"
            row[s_q] = "t" if kind in N.QUALIFYING_KINDS else "f"
            w.add("\t".join(row) + "\n")
            if aid % 1_000_000 == 0:
                print(f"  activities: {aid:,} ({aid / (time.perf_counter() - started):,.0f} rows/s)", flush=True)
        w.flush()
    return CopyStat(Activity._meta.db_table, aid, time.perf_counter() - started)


def generate(url: str, org: BenchOrg, customers: int, activities: int, seed: int = 20240601) -> dict[str, Any]:
    """Truncate, drop secondary indexes, COPY everything, rebuild indexes, VACUUM ANALYZE."""
    report: dict[str, Any] = {"copies": [], "indexes": []}
    t0 = time.perf_counter()
    # The pool forks before any connection of ours is open; its workers only run normalize.
    with multiprocessing.get_context("fork").Pool(2) as pool, psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        deferred = capture_deferred(conn, TABLES)
        conn.commit()
        # TRUNCATE and COPY FREEZE in one transaction: rows are written frozen, no later rewrite.
        conn.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        drop_deferred(conn, deferred)
        print(f"generating {customers:,} customers …", flush=True)
        c_stat, i_stat, plan = copy_customers(conn, pool, org, customers, activities, seed)
        print(f"  {c_stat.rows:,} customers at {c_stat.rows_per_s:,.0f} rows/s", flush=True)
        print(f"  {i_stat.rows:,} identities at {i_stat.rows_per_s:,.0f} rows/s", flush=True)
        print(f"generating {activities:,} activities …", flush=True)
        a_stat = copy_activities(conn, org, plan, seed)
        print(f"  {a_stat.rows:,} activities at {a_stat.rows_per_s:,.0f} rows/s", flush=True)
        reset_sequences(conn, TABLES)
        conn.commit()
    report["copies"] = [vars(s) | {"rows_per_s": round(s.rows_per_s)} for s in (c_stat, i_stat, a_stat)]
    print(f"rebuilding {len(deferred)} indexes and constraints …", flush=True)
    t1 = time.perf_counter()
    timings = rebuild_deferred(url, deferred)
    report["indexes"] = [{"name": n, "seconds": round(s, 1)} for n, s in timings]
    report["index_seconds"] = round(time.perf_counter() - t1, 1)
    print(f"  done in {report['index_seconds']}s; VACUUM ANALYZE …", flush=True)
    t2 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute("ANALYZE")  # the small org tables too: the planner joins them on every list
    report["vacuum_seconds"] = round(time.perf_counter() - t2, 1)
    report["total_seconds"] = round(time.perf_counter() - t0, 1)
    return report
