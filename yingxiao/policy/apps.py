from typing import Any

from django.apps import AppConfig
from django.core.signals import request_started
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_catalog(sender: AppConfig, **kwargs: Any) -> None:
    from .services import sync_catalog

    sync_catalog(using=kwargs.get("using", "default"))


class PolicyConfig(AppConfig):
    name = "yingxiao.policy"
    label = "policy"
    verbose_name = _("Policy")

    def ready(self) -> None:
        from django.tasks.signals import task_started

        from . import registry, values

        # Definitions follow catalog.py after every migrate (idempotent).
        post_migrate.connect(_sync_catalog, sender=self, dispatch_uid="policy.sync_catalog")
        # Another process may have changed the policy: read it afresh per request and per task.
        request_started.connect(values.invalidate, dispatch_uid="policy.values.request")
        task_started.connect(values.invalidate, dispatch_uid="policy.values.task")
        registry.autodiscover()
