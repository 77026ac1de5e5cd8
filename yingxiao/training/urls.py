from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("onboarding/", views.onboarding_list, name="onboarding"),
    path("onboarding/new/", views.onboarding_new, name="onboarding_new"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
]
