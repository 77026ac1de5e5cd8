from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "yingxiao.archives"
    label = "archives"
    verbose_name = _("Archives and confidentiality")

    def ready(self) -> None:
        from .approval_types import register_approval_types

        register_approval_types()
