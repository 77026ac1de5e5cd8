"""Generate the demo customer archive (CUS-1) with contacts and CUS-2 identity keys, in memory.

Nothing here touches the database: the loader saves the drafts in bulk. Every customer gets the
shared-contract keys (normalised phone, name, e-mail of the customer and of each contact) and no two
customers share a key — a candidate whose name collides is redrawn, a colliding phone or e-mail is
redrawn on its own.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import opencc

from yingxiao.customers.dedup import desired_keys
from yingxiao.customers.models import Contact, Customer, CustomerIdentity
from yingxiao.customers.normalize import normalize_email, normalize_name, normalize_phone, pinyin_forms
from yingxiao.customers.search import search_fields
from yingxiao.org.models import Department, User

from . import words as w
from .logins import OWNERS_BY_SEGMENT
from .timeline import Clock

SEGMENT_WEIGHTS = [("domestic", 50), ("telesales", 18), ("shanghai", 12), ("overseas", 10), ("traditional", 11)]
STAGE_WEIGHTS = [("potential", 40), ("intent", 30), ("deal", 22), ("lost", 8)]

Key = tuple[str, str]  # (CustomerIdentity.Kind, normalised value)


@dataclass
class Draft:
    """One generated customer with its contacts and identity keys (contact index, None for the customer)."""

    customer: Customer
    contacts: list[Contact]
    keys: list[tuple[str, str, int | None]]
    segment: str
    city: str
    product: str
    concern: str
    traditional: bool = False


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[weight for _, weight in pairs])[0]


def _digits(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randint(0, 9)) if ch == "#" else ch for ch in pattern)


def _mobile(rng: random.Random) -> str:
    number = "1" + rng.choice("3456789") + "".join(str(rng.randint(0, 9)) for _ in range(9))
    style = rng.choices(["plain", "dash", "space", "intl"], weights=[7, 2, 1, 1])[0]
    if style == "dash":
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == "space":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == "intl":
        return f"+86 {number}"
    return number


def _landline(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(2, 8)}{_digits(rng, '#######')}"


class KeyRegistry:
    """Every identity key handed out so far: the in-memory mirror of CustomerIdentity's unique constraint."""

    def __init__(self) -> None:
        self.used: set[Key] = set()

    def fresh(self, kind: str, make: Callable[[], str], normalise: Callable[[str], str]) -> str:
        """Draw values until one normalises to a key nobody holds (or to no key at all)."""
        for _ in range(100):
            raw = make()
            key = normalise(raw)
            if not key or (kind, key) not in self.used:
                return raw
        raise RuntimeError(f"could not draw a unique {kind}")


class CustomerFactory:
    """Draws customers one at a time from a seeded ``random.Random``; deterministic for a given seed."""

    def __init__(self, rng: random.Random, users: dict[str, User], home: dict[str, Department], clock: Clock) -> None:
        self.rng = rng
        self.users = users
        self.home = home
        self.clock = clock
        self.registry = KeyRegistry()

    # --- public -------------------------------------------------------------------------------
    def build(self, count: int) -> list[Draft]:
        drafts = []
        while len(drafts) < count:
            draft = self._draw()
            if draft is not None:
                drafts.append(draft)
        return drafts

    # --- one customer ---------------------------------------------------------------------------
    def _draw(self) -> Draft | None:
        rng = self.rng
        segment = weighted(rng, SEGMENT_WEIGHTS)
        is_person = segment in ("domestic", "telesales", "shanghai") and rng.random() < 0.3
        place = self._place(segment)
        name = self._person_name() if is_person else self._company_name(place)
        name = self._localise(name, place)
        name_key = normalize_name(name)
        if (CustomerIdentity.Kind.NAME, name_key) in self.registry.used:
            return None  # rule: CUS-2 — the name is taken; draw another customer

        owner_name = rng.choice(OWNERS_BY_SEGMENT[segment])
        owner = self.users[owner_name]
        registered_at = self.clock.registration_time(rng)
        product, concern = rng.choice(w.PRODUCTS), rng.choice(w.CONCERNS)
        stage = weighted(rng, STAGE_WEIGHTS)
        phone = self.registry.fresh(
            CustomerIdentity.Kind.PHONE,
            (lambda: _mobile(rng)) if is_person else self._company_phone(place),
            normalize_phone,
        )
        email = self._email(name, place, is_person) if rng.random() < (0.6 if is_person else 0.85) else ""

        customer = Customer(
            name=name,
            kind=Customer.Kind.PERSON if is_person else Customer.Kind.COMPANY,
            industry=place["industry"],
            region=place["region"],
            address=place["address"],
            phone=phone,
            email=email,
            source=weighted(rng, w.SOURCES[segment]),
            heard_from=rng.choice(w.HEARD_FROM),
            previous_brand=rng.choice(w.PREVIOUS_BRANDS),
            needs=f"采购{product}{rng.randint(1, 6)}台，关注{concern}",
            stage=stage,
            intent=self._intent(stage),
            grade=self._grade(stage),
            credit=self._credit(stage),
            owner=owner,
            department=self.home[owner_name],
            registered_by=owner,
            registered_at=registered_at,
        )
        # Search helpers filled exactly as the customers app fills them.
        for field, value in search_fields(name, phone).items():
            setattr(customer, field, value)

        contacts = self._contacts(customer, place, is_person, registered_at)
        keys = self._keys(customer, contacts)
        for kind, value, _ in keys:
            self.registry.used.add((kind, value))
        return Draft(
            customer=customer,
            contacts=contacts,
            keys=keys,
            segment=segment,
            city=place["city"],
            product=product,
            concern=concern,
            traditional=segment == "traditional",
        )

    def _place(self, segment: str) -> dict[str, str]:
        rng = self.rng
        word, industry = rng.choice(w.INDUSTRIES)
        road = f"{rng.choice(w.ROADS)}{rng.randint(1, 999)}号"
        if segment == "traditional":
            city, region, code, pattern, config = rng.choice(w.TRADITIONAL_REGIONS)
            convert = _converter(config).convert
            return {
                "city": city, "region": convert(region if region == city else f"{region}{city}"),
                "address": convert(f"{city}{road}"), "calling": code, "pattern": pattern, "opencc": config,
                "industry": industry, "word": word,
            }  # fmt: skip
        if segment == "overseas":
            city, country, code, pattern = rng.choice(w.OVERSEAS_REGIONS)
            return {
                "city": city, "region": f"{country}{city}", "address": f"{country}{city}", "calling": code,
                "pattern": pattern, "industry": industry, "word": word,
            }  # fmt: skip
        city, province, area = rng.choice(w.EAST_REGIONS if segment == "shanghai" else w.MAINLAND_REGIONS)
        region = city if province == city else f"{province}{city}"
        return {
            "city": city, "region": region, "address": f"{region}市{road}", "area": area,
            "industry": industry, "word": word,
        }  # fmt: skip

    def _company_name(self, place: dict[str, str]) -> str:
        rng = self.rng
        return f"{place['city']}{rng.choice(w.BRAND_WORDS)}{place['word']}{rng.choice(w.COMPANY_SUFFIXES)}"

    def _person_name(self) -> str:
        return self.rng.choice(w.SURNAMES) + self.rng.choice(w.GIVEN_NAMES)

    @staticmethod
    def _localise(text: str, place: dict[str, str]) -> str:
        """Hong Kong, Macau and Taiwan customers are written in Traditional characters."""
        config = place.get("opencc")
        return _converter(config).convert(text) if config else text

    def _company_phone(self, place: dict[str, str]) -> Callable[[], str]:
        rng = self.rng
        if "calling" in place:
            return lambda: f"+{place['calling']} {_digits(rng, place['pattern'])}"
        return lambda: _landline(rng, place["area"]) if rng.random() < 0.65 else _mobile(rng)

    def _contact_phone(self, place: dict[str, str]) -> Callable[[], str]:
        rng = self.rng
        if "calling" in place:
            return lambda: f"+{place['calling']} {_digits(rng, place['pattern'])}"
        return lambda: _mobile(rng)

    def _domain(self, name: str, place: dict[str, str]) -> str:
        _, initials = pinyin_forms(normalize_name(name))
        tld = {"s2hk": "com.hk", "s2tw": "com.tw"}.get(place.get("opencc", ""), "com.cn")
        return f"{initials[:8] or 'corp'}.{tld if self.rng.random() < 0.5 else 'com'}"

    def _email(self, name: str, place: dict[str, str], is_person: bool) -> str:
        rng = self.rng
        if is_person:
            full, _ = pinyin_forms(name)

            def make() -> str:
                if rng.random() < 0.3:
                    return f"{rng.randint(10_000_000, 2_999_999_999)}@qq.com"
                return f"{full}{rng.randint(1, 999)}@{rng.choice(w.MAIL_DOMAINS)}"

        else:
            domain = self._domain(name, place)

            def make() -> str:
                return f"{rng.choice(w.EMAIL_PREFIXES)}{rng.choice(['', str(rng.randint(1, 99))])}@{domain}"

        return self.registry.fresh(CustomerIdentity.Kind.EMAIL, make, normalize_email)

    def _contacts(
        self, customer: Customer, place: dict[str, str], is_person: bool, registered_at: dt.datetime
    ) -> list[Contact]:
        rng = self.rng
        if is_person:
            # The person is their own contact: same phone and e-mail, one key each (see _keys).
            return [
                Contact(
                    customer=customer,
                    name=customer.name,
                    title=rng.choice(w.PERSON_TITLES),
                    phone=customer.phone,
                    email=customer.email,
                    birthday=self._birthday(),
                    is_primary=True,
                )
            ]
        contacts = []
        domain = customer.email.split("@", 1)[1] if customer.email else self._domain(customer.name, place)
        for index in range(rng.choices([1, 2, 3], weights=[4, 4, 2])[0]):
            name = self._localise(self._person_name(), place)
            full, _ = pinyin_forms(name)
            phone = self.registry.fresh(CustomerIdentity.Kind.PHONE, self._contact_phone(place), normalize_phone)
            email = ""
            if rng.random() < 0.5:
                email = self.registry.fresh(
                    CustomerIdentity.Kind.EMAIL,
                    lambda full=full: f"{full}{rng.choice(['', str(rng.randint(1, 99))])}@{domain}",
                    normalize_email,
                )
            contacts.append(
                Contact(
                    customer=customer,
                    name=name,
                    title=rng.choice(w.CONTACT_TITLES),
                    phone=phone,
                    email=email,
                    birthday=self._birthday() if rng.random() < 0.4 else None,
                    is_primary=index == 0,
                )
            )
        return contacts

    def _birthday(self) -> dt.date:
        rng = self.rng
        return dt.date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))

    @staticmethod
    def _keys(customer: Customer, contacts: list[Contact]) -> list[tuple[str, str, int | None]]:
        """CUS-2 identity keys as the customers app defines them; ``index`` names the contact."""
        by_contact = {id(contact): index for index, contact in enumerate(contacts)}
        return [
            (kind, value, None if contact is None else by_contact[id(contact)])
            for (kind, value), contact in desired_keys(customer, contacts).items()
        ]

    # --- grading -----------------------------------------------------------------------------
    def _intent(self, stage: str) -> str:
        choices = {"potential": ["C", "", ""], "intent": ["A", "B", "B"], "deal": ["A", "B"], "lost": ["C", ""]}
        return self.rng.choice(choices[stage])

    def _grade(self, stage: str) -> str:
        if stage == "deal":
            return self.rng.choices(["vip", "preferred", "qualified"], weights=[15, 35, 50])[0]
        if stage == "intent" and self.rng.random() < 0.3:
            return "qualified"
        return ""

    def _credit(self, stage: str) -> str:
        if stage == "deal":
            return self.rng.choices(["good", "normal", "poor"], weights=[5, 4, 1])[0]
        return "normal" if stage == "intent" and self.rng.random() < 0.5 else "unknown"
