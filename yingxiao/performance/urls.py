from django.urls import path

from . import views

app_name = "performance"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("violations/", views.violations, name="violations"),
    path("violations/new/", views.record_violation, name="record_violation"),
    path("violations/<int:pk>/paid/", views.mark_paid, name="mark_paid"),
    path("rewards/new/", views.record_reward, name="record_reward"),
]
