from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelesalesConfig(AppConfig):
    name = "yingxiao.telesales"
    label = "telesales"
    verbose_name = _("Telesales")

    def ready(self) -> None:
        from .approval_types import register_approval_types

        register_approval_types()
