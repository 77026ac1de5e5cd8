from django.urls import path

from . import views

app_name = "marketing"
urlpatterns = [
    path("campaigns/", views.campaign_list_view, name="campaigns"),
    path("campaigns/new/", views.campaign_new_view, name="campaign_new"),
    path("campaigns/export/", views.campaign_export_view, name="campaign_export"),
    path("campaigns/<int:pk>/", views.campaign_detail_view, name="campaign"),
    path("campaigns/<int:pk>/<str:step>/", views.campaign_step_view, name="campaign_step"),
    path("media-plans/", views.media_plan_list_view, name="media_plans"),
    path("media-plans/<int:pk>/", views.media_plan_detail_view, name="media_plan"),
    path("media-plans/<int:pk>/<str:step>/", views.media_plan_step_view, name="media_plan_step"),
    path("roadshows/", views.roadshow_list_view, name="roadshows"),
    path("roadshows/<int:pk>/photo/", views.roadshow_photo_view, name="roadshow_photo"),
    path("competitors/", views.competitor_list_view, name="competitors"),
    path("competitors/analysis/", views.competitor_analysis_view, name="competitor_analysis"),
]
