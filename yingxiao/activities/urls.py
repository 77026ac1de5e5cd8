from django.urls import path

from . import views, views_reports

app_name = "activities"
urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("customers/<int:customer_id>/log/", views.activity_log_view, name="log"),
    path("return-visits/", views_reports.return_visits_view, name="return_visits"),
    path("return-visits/punctuality/", views_reports.punctuality_view, name="punctuality"),
    path("statistics/", views_reports.statistics_view, name="statistics"),
    path("statistics/export/", views_reports.statistics_export_view, name="statistics_export"),
    path("inquiries/", views_reports.inquiry_list_view, name="inquiries"),
    path("inquiries/<int:pk>/", views_reports.inquiry_detail_view, name="inquiry"),
    path("greetings/", views_reports.greetings_view, name="greetings"),
    path("key-accounts/", views_reports.key_accounts_view, name="key_accounts"),
    path("key-accounts/<int:pk>/end/", views_reports.key_account_end_view, name="key_account_end"),
]
