from django.urls import path

from . import views

app_name = "telesales"
urlpatterns = [
    path("", views.call_list_index_view, name="lists"),
    path("import/", views.import_view, name="import"),
    path("workspace/", views.workspace_view, name="workspace"),
    path("entries/<int:pk>/screen/", views.screen_view, name="screen"),
    path("calls/", views.call_index_view, name="calls"),
    path("calls/<int:pk>/", views.call_detail_view, name="call"),
    path("calls/<int:pk>/edit/", views.call_edit_view, name="call_edit"),
    path("statistics/", views.statistics_view, name="statistics"),
    path("receptions/", views.reception_list_view, name="receptions"),
    path("receptions/new/", views.reception_new_view, name="reception_new"),
]
