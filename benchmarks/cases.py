"""The benchmark cases: what each request is, whom it runs as, and the target it must meet."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from .httpload import Call, json_body

# Targets (ms at p95, or requests/s) from the issue.
TARGETS = {
    "list": 20.0,
    "deep_page": 50.0,
    "search": 20.0,
    "duplicate": 5.0,
    "create": 15.0,
    "claim": 30.0,
    "throughput": 150.0,
}


@dataclass
class Actor:
    label: str  # "rep (own)" / "director (all)"
    user: Any
    token: str
    cookie: str = ""  # session cookie, for web endpoints

    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


@dataclass
class Case:
    name: str
    title: str
    actor: Actor
    make: Callable[[int], Call]
    target: str  # a key of TARGETS
    expect: tuple[int, ...] = (200,)
    write: bool = False
    session: bool = False  # authenticated by the session cookie (web view) rather than the token
    result: dict[str, Any] = field(default_factory=dict)


def _reverse_any(names: list[str]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def customers_api() -> str | None:
    return _reverse_any(["customer-list"])


def duplicate_endpoint() -> tuple[str, bool] | None:
    """(path, is_web) of the duplicate check the app exposes: the API action first, else the web view."""
    api = _reverse_any(["customer-check-duplicates", "customer-duplicates", "customer-check-duplicate"])
    if api:
        return api, False
    web = _reverse_any(["customers:check_duplicates", "customers:check-duplicates", "customers:duplicates"])
    return (web, True) if web else None


@dataclass
class Terms:
    """Search terms sampled from the actor's own customers, so every search finds something."""

    phones: list[str]
    cn_long: list[str]
    initials: list[str]
    existing_phones: list[str]


def sample_terms(owner_id: int | None, rng: random.Random) -> Terms:
    from yingxiao.customers.models import Customer

    qs = Customer.objects.filter(kind=Customer.Kind.COMPANY)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    ids = list(qs.order_by("-id").values_list("id", flat=True)[:5000])
    picked = rng.sample(ids, min(40, len(ids)))
    rows = list(Customer.objects.filter(id__in=picked).values("name_normalized", "name_initials", "phone_normalized"))
    phones = [r["phone_normalized"][3:10] for r in rows if len(r["phone_normalized"]) >= 10]
    return Terms(
        phones=phones[:20],
        cn_long=[r["name_normalized"][:4] for r in rows][:20],
        initials=[r["name_initials"][:4] for r in rows if len(r["name_initials"]) >= 4][:20],
        existing_phones=[r["phone_normalized"] for r in rows][:20],
    )


def _rotate(values: list[str]) -> Callable[[int], str]:
    return lambda i: values[i % len(values)]


def build_cases(rep: Actor, director: Actor, run_id: int) -> tuple[list[Case], list[str]]:
    """Every case for both actors; the second value lists what could not be built and why."""
    notes: list[str] = []
    cases: list[Case] = []
    base = customers_api()
    if base is None:
        notes.append("customers API not routed (no 'customer-list' URL): customer cases skipped")
        org = _reverse_any(["department-list"]) or "/api/v1/departments/"
        for actor in (rep, director):
            cases.append(Case("org_list", "Departments list (harness check)", actor, _get(org, actor), "list"))
        return cases, notes
    rng = random.Random(7)
    for actor in (rep, director):
        owner = actor.user.pk if actor is rep else None
        terms = sample_terms(owner, rng)

        def q(term: Callable[[int], str], a: Actor = actor) -> Callable[[int], Call]:
            return lambda i: Call("GET", f"{base}?{urlencode({'q': term(i)})}", headers=a.api_headers())

        cases += [
            Case("list_p1", "List, page 1", actor, _get(base, actor), "list"),
            Case("search_cn2", "Search 2-char Chinese 建国", actor, q(lambda i: "建国"), "search"),
            Case("search_cn2_common", "Search 2-char Chinese 机械 (common)", actor, q(lambda i: "机械"), "search"),
            Case("search_cn4", "Search 4-char Chinese (city+brand)", actor, q(_rotate(terms.cn_long)), "search"),
            Case("search_phone", "Search phone substring (7 digits)", actor, q(_rotate(terms.phones)), "search"),
            Case("search_initials", "Search pinyin initials (4 letters)", actor, q(_rotate(terms.initials)), "search"),
            Case("search_pinyin", "Search full pinyin jianguo", actor, q(lambda i: "jianguo"), "search"),
        ]
        if actor is director:
            cases.insert(
                -6, Case("list_p1000", "List, page 1000", actor, _get(f"{base}?page=1000", actor), "deep_page")
            )
        dup = duplicate_endpoint()
        if dup is None:
            if actor is rep:
                notes.append("no duplicate-check endpoint (API action or web 'check_duplicates' URL): case skipped")
        else:
            path, is_web = dup
            existing = terms.existing_phones

            def dup_call(
                i: int, a: Actor = actor, path: str = path, is_web: bool = is_web, existing: list[str] = existing
            ) -> Call:
                # Alternate a phone that is taken (a hit to describe) with one that is free.
                phone = existing[i % len(existing)] if i % 2 == 0 else f"146{run_id % 10_000:04d}{abs(i) % 10_000:04d}"
                query = urlencode({"phone": phone, "name": f"查重测试{abs(i)}"})
                if is_web:
                    return Call("GET", f"{path}?{query}", headers={"Cookie": a.cookie, "HX-Request": "true"})
                return Call("GET", f"{path}?{query}", headers=a.api_headers())

            cases.append(
                Case("duplicate_check", "Duplicate check (phone + name)", actor, dup_call, "duplicate", session=is_web)
            )
        cases.append(
            Case(
                "create",
                "Create customer (API)",
                actor,
                _create(base, actor, run_id, rep is actor),
                "create",
                (201,),
                True,
            )
        )
    return cases, notes


def claim_case(rep: Actor, claimers: list[Actor], customers: list[int], requests: int) -> Case | None:
    """Claim from the public pool (CUS-7) through the API: each call a different customer, and the
    claims spread over many reps (the daily quota is per person). ``customers`` holds ``requests``
    measured ones, then the warm-up ones, then one for the rolled-back SQL timing (index 3999)."""
    path = _reverse_any(["pool-claim"])
    if path is None or not claimers or len(customers) < requests + 11:
        return None

    def make(i: int) -> Call:
        if i == 3_999:
            index = len(customers) - 1
        elif i < 0:
            index = requests + (-1 - i)
        else:
            index = i
        actor = claimers[index % len(claimers)]
        return Call("POST", path, body=json_body({"customer": customers[index]}), headers=actor.api_headers())

    return Case("claim", "Claim from the public pool (API)", rep, make, "claim", (200,), True)


def _get(path: str, actor: Actor) -> Callable[[int], Call]:
    return lambda i: Call("GET", path, headers=actor.api_headers())


def _create(base: str, actor: Actor, run_id: int, is_rep: bool) -> Callable[[int], Call]:
    """A new customer each call: unique name and a phone on a prefix the generator never uses (145)."""
    lane = 0 if is_rep else 5_000

    def make(i: int) -> Call:
        n = lane + (i if i >= 0 else 4_000 - i)
        payload = {
            "name": f"基准新建{run_id}客户{n}号贸易有限公司",
            "kind": "company",
            "phone": f"145{run_id % 10_000:04d}{n:04d}",
            "region": "杭州",
            "source": "web",
        }
        return Call("POST", base, body=json_body(payload), headers=actor.api_headers())

    return make


def new_run_id() -> int:
    return int(time.time()) % 10_000
