from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_index, name="index"),
    path("<slug:name>/", views.policy_detail, name="detail"),
]
