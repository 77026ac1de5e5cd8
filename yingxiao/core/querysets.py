"""One way to scope reads (ORG-5): ``Model.objects.restrict(actor, action)``.

A restricted model names where its ownership lives (``scope_owner_field`` and
``scope_department_field``, which may follow relations such as ``customer__owner``).
``restrict`` first checks the verb permission (``<app>.<action>_<model>``), then narrows the
rows to the actor's data scope. UI, API, search, exports and reports all start here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from yingxiao.org.models import User


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to what an actor may see or change."""

    def restrict(self, actor: User | Any, action: str = "view") -> Self:
        from yingxiao.org.scope import scope_for

        model = self.model
        if actor is None or not actor.is_authenticated:
            return self.none()
        perm = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not actor.has_perm(perm):
            return self.none()
        scope = scope_for(actor)
        if scope.is_all:
            return self
        return self.filter(
            scope.q(
                owner=getattr(model, "scope_owner_field", None),
                department=getattr(model, "scope_department_field", None),
            )
        )


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


def get_restricted_or_404[M: models.Model](
    model: type[M], actor: User | Any, pk: Any, action: str = "view", queryset: models.QuerySet[M] | None = None
) -> M:
    """The object if the actor may ``action`` it, else 404 — never a hint that it exists."""
    base = queryset if queryset is not None else model._default_manager.all()
    try:
        return base.restrict(actor, action).get(pk=pk)  # type: ignore[attr-defined]
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
