from django.contrib import admin

from .models import Campaign, CompetitorEntry, MediaPlan, Roadshow


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Read-mostly: the status changes only through the services (the transition table, MKT-1)."""

    list_display = ["id", "theme", "starts_on", "department", "status", "budget", "spend"]
    list_filter = ["status"]
    readonly_fields = ["status", "summarised_at"]


admin.site.register(MediaPlan)
admin.site.register(Roadshow)
admin.site.register(CompetitorEntry)
