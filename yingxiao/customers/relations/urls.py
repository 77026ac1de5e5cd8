"""URL patterns of the relation pages, included into the ``customers`` namespace by ``customers/urls.py``."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/relations/", views.panel, name="relations_panel"),
    path("<int:pk>/grade-reviews/add/", views.grade_review_add, name="grade_review_add"),
    path("grade-reviews/<int:pk>/downgrade/", views.grade_downgrade, name="grade_downgrade"),
    path("grade-reviews/due/", views.grades_due, name="grades_due"),
    path("<int:pk>/admission/<int:criterion_pk>/", views.admission_tick, name="admission_tick"),
    path("admission-criteria/", views.criteria, name="admission_criteria"),
    path("admission-criteria/<int:criterion_pk>/", views.criteria, name="admission_criterion_edit"),
    path("<int:pk>/invitations/add/", views.invitation_add, name="invitation_add"),
    path("invitations/<int:pk>/<str:verb>/", views.invitation_status, name="invitation_status"),
    path("invitations/conflicts/", views.invitation_conflicts, name="invitation_conflicts"),
    path("<int:pk>/tracking/", views.tracking_create, name="tracking_create"),
    path("tracking/<int:pk>/steps/", views.tracking_step_add, name="tracking_step_add"),
    path("tracking/steps/<int:pk>/done/", views.tracking_step_done, name="tracking_step_done"),
    path("tracking/<int:pk>/review/", views.tracking_review, name="tracking_review"),
    path("tracking/", views.tracking_overview, name="tracking_overview"),
    path("<int:pk>/referrals/add/", views.referral_add, name="referral_add"),
    path("referrals/<int:pk>/deal-value/", views.referral_deal_value, name="referral_deal_value"),
]
