from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "yingxiao.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from .approval_types import register_approval_types

        register_approval_types()

        from .approval_types import register_contract_approval_types

        register_contract_approval_types()

        from yingxiao.performance.pay import register_pay_provider

        from .pay_lines import commission_lines

        register_pay_provider("commission", commission_lines)
