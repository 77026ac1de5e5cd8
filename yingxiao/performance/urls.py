from django.urls import path

from . import views, views_pay

app_name = "performance"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("violations/", views.violations, name="violations"),
    path("violations/new/", views.record_violation, name="record_violation"),
    path("violations/<int:pk>/paid/", views.mark_paid, name="mark_paid"),
    path("rewards/new/", views.record_reward, name="record_reward"),
    # PRF-1…5: evaluations, pay statements, rankings.
    path("my/", views_pay.my_pay, name="my"),
    path("team/", views_pay.team, name="team"),
    path("evaluations/prepare/", views_pay.evaluation_prepare, name="evaluation_prepare"),
    path("evaluations/<int:pk>/", views_pay.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/score/", views_pay.evaluation_score, name="evaluation_score"),
    path("statements/", views_pay.statements, name="statements"),
    path("statements.xlsx", views_pay.statements_export, name="statements_export"),
    path("statements/close/", views_pay.month_close, name="month_close"),
    path("statements/issue/", views_pay.statements_issue, name="statements_issue"),
    path("statements/profile/", views_pay.profile_set, name="profile_set"),
    path("statements/<int:pk>/", views_pay.statement_detail, name="statement"),
    path("statements/<int:pk>/confirm/", views_pay.statement_confirm, name="statement_confirm"),
    path("rankings/", views_pay.ranking, name="rankings"),
]
