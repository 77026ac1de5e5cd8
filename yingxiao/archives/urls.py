from django.urls import path

from . import views

app_name = "archives"
urlpatterns = [
    path("", views.document_list_view, name="list"),
    path("export/", views.document_export_view, name="export"),
    path("new/", views.document_new_view, name="new"),
    path("<int:pk>/", views.document_detail_view, name="detail"),
    path("<int:pk>/file/", views.document_download_view, name="download"),
    path("<int:pk>/borrow/", views.borrow_view, name="borrow"),
    path("borrowings/", views.borrowing_list_view, name="borrowings"),
    path("borrowings/<int:pk>/return/", views.return_view, name="return"),
    path("access-log/", views.access_log_view, name="access_log"),
    path("export-log/", views.export_log_view, name="export_log"),
    path("export-log/export/", views.export_log_export_view, name="export_log_export"),
]
