from django.urls import path

from . import views, views_leave, views_people

app_name = "workforce"
urlpatterns = [
    path("", views.attendance_view, name="attendance"),
    path("clock/", views.clock_view, name="clock"),
    path("corrections/new/", views.correction_view, name="correction"),
    path("sheet/", views.sheet_view, name="sheet"),
    path("sheet/export/", views.sheet_export_view, name="sheet_export"),
    path("outings/", views.outing_view, name="outings"),
    path("trips/", views.trip_view, name="trips"),
    path("trips/<int:pk>/checkin/", views.checkin_view, name="checkin"),
    path("leaves/", views.leave_view, name="leaves"),
    path("leaves/balances/", views_leave.balances_view, name="leave_balances"),
    path("leaves/balances/grant/", views_leave.entitlements_grant_view, name="leave_grant"),
    path("leaves/balances/<int:person_pk>/", views_leave.entitlement_set_view, name="leave_entitlement"),
    path("roster/", views_people.roster_view, name="roster"),
    path("roster/assign/", views_people.roster_assign_view, name="roster_assign"),
    path("roster/posts/", views_people.roster_post_view, name="roster_post"),
    path("roster/<int:pk>/swap/", views_people.swap_view, name="swap"),
    path("roster/<int:pk>/unattended/", views_people.unattended_view, name="unattended"),
    path("meetings/", views_people.meetings_view, name="meetings"),
    path("meetings/<int:pk>/", views_people.meeting_view, name="meeting"),
    path("meetings/<int:pk>/sign-in/", views_people.meeting_sign_in_view, name="meeting_sign_in"),
    path("meetings/<int:pk>/arrival/", views_people.meeting_arrival_view, name="meeting_arrival"),
    path("meetings/<int:pk>/held/", views_people.meeting_held_view, name="meeting_held"),
    path("meetings/<int:pk>/cancel/", views_people.meeting_cancel_view, name="meeting_cancel"),
    path("meetings/<int:pk>/minutes/", views_people.meeting_minutes_view, name="meeting_minutes"),
    path("reports/", views_people.reports_view, name="reports"),
    path("reports/team/", views_people.team_reports_view, name="team_reports"),
    path("reports/<int:pk>/", views_people.report_view, name="report"),
]
