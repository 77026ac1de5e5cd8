from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "yingxiao.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from .request_types import register_defaults

        register_defaults()
