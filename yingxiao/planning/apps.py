from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "yingxiao.planning"
    label = "planning"
    verbose_name = _("Targets, budgets, expenses and gifts")

    def ready(self) -> None:
        from . import actuals
        from .approval_types import register_approval_types

        register_approval_types()
        actuals.register_builtin_providers()
