"""A small marketing center for the benchmark: 10 teams, ~200 reps, heads and one director.

Built straight through the ORM (the org services check an acting administrator's permissions,
which a fresh benchmark database does not have); paths follow ``org.services._path_for``.
The standard roles come from ``migrate`` (post_migrate → ``ensure_standard_roles``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from yingxiao.org.models import Assignment, Department, Position, Role, User

PASSWORD = "bench-pass-1234"
DIRECTOR = "bench_director"
TEAMS = {
    "国内部": ("华东区", "华北区", "华南区", "西南区", "华中区"),
    "国际部": ("亚太组", "欧美组"),
    "电销部": ("电销一组", "电销二组"),
    "大客户部": ("重点客户组",),
}


@dataclass(frozen=True)
class BenchOrg:
    director_id: int
    reps: list[tuple[int, int]]  # (user id, department id)


def _department(name: str, code: str, parent: Department | None, kind: str) -> Department:
    dept, _created = Department.objects.get_or_create(
        code=code, defaults={"name": name, "parent": parent, "kind": kind}
    )
    path = f"{parent.path if parent else '/'}{dept.pk}/"
    if dept.path != path:
        dept.path = path
        dept.save(update_fields=["path"])
    return dept


def _person(username: str, display_name: str, password_hash: str, position: Position) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "password": password_hash}
    )
    if created or not Assignment.objects.filter(user=user, ended_on__isnull=True).exists():
        Assignment.objects.create(user=user, position=position, is_primary=True)
    return user


def _sync_role_permissions() -> None:
    """Give the standard roles the permissions added since this database was built (e.g. claiming
    from the pool): ``ensure_standard_roles`` creates missing roles but leaves existing ones alone."""
    from yingxiao.org import roles as standard

    existing = {r.code: r for r in Role.objects.all()}
    for spec in standard.STANDARD_ROLES:
        role = existing.get(spec.code)
        if role is not None:
            role.permissions.add(*standard._permissions(spec.permissions))


def load_org(reps_total: int = 200) -> BenchOrg:
    """Create (once) the departments, posts and people; returns ids the generator spreads owners over."""
    from .names import GIVEN_CHARS, SURNAMES

    password_hash = make_password(PASSWORD)
    _sync_role_permissions()
    roles = {r.code: r for r in Role.objects.all()}
    leaves = [leaf for subs in TEAMS.values() for leaf in subs]
    per_team = max(1, reps_total // len(leaves))
    reps: list[tuple[int, int]] = []
    with transaction.atomic():
        center = _department("营销中心", "bench-center", None, Department.Kind.CENTER)
        director_post, _ = Position.objects.get_or_create(
            title="销售总监", department=center, defaults={"role": roles["sales_director"], "is_head": True}
        )
        director = _person(DIRECTOR, "王总监", password_hash, director_post)
        n = 0
        for d_index, (division, teams) in enumerate(TEAMS.items()):
            div = _department(division, f"bench-div-{d_index}", center, Department.Kind.DEPARTMENT)
            div_post, _ = Position.objects.get_or_create(
                title=f"{division}经理",
                department=div,
                defaults={"role": roles["department_head"], "is_head": True, "superior": director_post},
            )
            _person(f"bench_head{d_index:02d}", f"{SURNAMES[d_index]}经理", password_hash, div_post)
            for t_index, team in enumerate(teams):
                leaf = _department(team, f"bench-team-{d_index}-{t_index}", div, Department.Kind.GROUP)
                lead_post, _ = Position.objects.get_or_create(
                    title=f"{team}组长",
                    department=leaf,
                    defaults={"role": roles["group_leader"], "is_head": True, "superior": div_post},
                )
                _person(f"bench_lead{d_index}{t_index}", f"{SURNAMES[-1 - n % 50]}组长", password_hash, lead_post)
                rep_post, _ = Position.objects.get_or_create(
                    title="销售代表", department=leaf, defaults={"role": roles["sales_rep"], "superior": lead_post}
                )
                for _i in range(per_team):
                    n += 1
                    name = SURNAMES[n % len(SURNAMES)] + GIVEN_CHARS[(n * 7) % len(GIVEN_CHARS)]
                    user = _person(f"bench_rep{n:03d}", name, password_hash, rep_post)
                    reps.append((user.pk, leaf.pk))
    return BenchOrg(director_id=director.pk, reps=reps)
