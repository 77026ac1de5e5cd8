from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("targets/", views.plans_view, name="targets"),
    path("targets/<int:pk>/", views.plan_view, name="plan"),
    path("targets/<int:pk>/progress/", views.progress_view, name="progress"),
    path("budgets/", views.budgets_view, name="budgets"),
    path("claims/", views.claims_view, name="claims"),
    path("gifts/", views.gifts_view, name="gifts"),
]
