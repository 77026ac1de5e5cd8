from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "yingxiao.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        # HR-9: assessment feeds performance — the training indicator of the monthly evaluation.
        from yingxiao.performance.indicators import register_source

        from .indicators import training_assessment

        register_source("training", training_assessment)
