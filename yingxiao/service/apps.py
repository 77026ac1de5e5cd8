from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "yingxiao.service"
    label = "service"
    verbose_name = _("Complaints and after-sales")

    def ready(self) -> None:
        from .approval_types import register_approval_types

        register_approval_types()
