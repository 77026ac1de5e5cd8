"""Admin: training records are read here; they change through the services."""

from django.contrib import admin

from .models import Attendance, Onboarding, TrainingNeed, TrainingPlan, TrainingSession


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


for _model in (TrainingPlan, TrainingSession, Attendance, Onboarding, TrainingNeed):
    admin.site.register(_model, _ReadOnly)
