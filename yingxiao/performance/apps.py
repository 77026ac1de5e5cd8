from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "yingxiao.performance"
    label = "performance"
    verbose_name = _("Fines and rewards")

    def ready(self) -> None:
        from .approval_types import register_approval_types

        register_approval_types()
