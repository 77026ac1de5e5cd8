from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "yingxiao.workforce"
    label = "workforce"
    verbose_name = _("Attendance, outings, trips and leave")

    def ready(self) -> None:
        from .approval_types import register_approval_types

        register_approval_types()
