from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("", views.attendance_view, name="attendance"),
    path("clock/", views.clock_view, name="clock"),
    path("corrections/new/", views.correction_view, name="correction"),
    path("sheet/", views.sheet_view, name="sheet"),
    path("outings/", views.outing_view, name="outings"),
    path("trips/", views.trip_view, name="trips"),
    path("trips/<int:pk>/checkin/", views.checkin_view, name="checkin"),
    path("leaves/", views.leave_view, name="leaves"),
]
