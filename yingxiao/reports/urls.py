from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("kpi/<str:code>/", views.drilldown_view, name="drilldown"),
    path("kpi/<str:code>/export/", views.drilldown_export_view, name="drilldown_export"),
    path("pdf/", views.report_index_view, name="index"),
    path("pdf/<str:kind>.pdf", views.report_pdf_view, name="pdf"),
]
