from django.urls import path

from . import views, views_aftersales

app_name = "service"
urlpatterns = [
    path("complaints/", views.complaint_list_view, name="list"),
    path("complaints/new/", views.complaint_new_view, name="new"),
    path("complaints/export/", views.complaint_export_view, name="export"),
    path("complaints/analysis/", views.analysis_view, name="analysis"),
    path("complaints/<int:pk>/", views.complaint_detail_view, name="detail"),
    path("complaints/<int:pk>/assign/", views.complaint_assign_view, name="assign"),
    path("complaints/<int:pk>/solution/", views.complaint_solution_view, name="solution"),
    path("complaints/<int:pk>/decide/", views.complaint_decide_view, name="decide"),
    path("complaints/<int:pk>/progress/", views.complaint_progress_view, name="progress"),
    path("complaints/<int:pk>/survey/", views.complaint_survey_view, name="survey"),
    path("complaints/<int:pk>/close/", views.complaint_close_view, name="close"),
    path("aftersales/", views_aftersales.aftersales_list_view, name="aftersales"),
    path("aftersales/reports/", views_aftersales.report_list_view, name="reports"),
    path("aftersales/reports/<int:pk>/submit/", views_aftersales.report_submit_view, name="report_submit"),
]
