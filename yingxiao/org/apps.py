from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_standard_roles(sender: AppConfig, **kwargs: Any) -> None:
    from django.apps import apps

    from .roles import ensure_standard_roles

    # post_migrate fires once per app; the last one comes after every app's permissions exist.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.label != with_models[-1].label:
        return

    ensure_standard_roles()


class OrgConfig(AppConfig):
    name = "yingxiao.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from .scope import connect_cache_invalidation

        connect_cache_invalidation()
        # After every app's permissions exist: the roles refer to them.
        post_migrate.connect(_create_standard_roles, dispatch_uid="org.standard_roles")
