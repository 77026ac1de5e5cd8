from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("chart/", views.org_chart_view, name="chart"),
]
