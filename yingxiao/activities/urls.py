from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("customers/<int:customer_id>/log/", views.activity_log_view, name="log"),
]
