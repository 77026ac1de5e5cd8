"""Root URL configuration: the web UI at /, the API under /api/v1/, the schema and its docs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include("yingxiao.api.urls")),
    path("org/", include("yingxiao.org.urls")),
    path("policy/", include("yingxiao.policy.urls")),
    path("approvals/", include("yingxiao.approvals.urls")),
    path("performance/", include("yingxiao.performance.urls")),
    path("training/", include("yingxiao.training.urls")),
    path("customers/", include("yingxiao.customers.urls")),
    path("activities/", include("yingxiao.activities.urls")),
    path("sales/", include("yingxiao.sales.urls")),
    path("service/", include("yingxiao.service.urls")),
    path("telesales/", include("yingxiao.telesales.urls")),
    path("workforce/", include("yingxiao.workforce.urls")),
    path("marketing/", include("yingxiao.marketing.urls")),
    path("planning/", include("yingxiao.planning.urls")),
    path("archives/", include("yingxiao.archives.urls")),
    path("reports/", include("yingxiao.reports.urls")),
    path("notifications/", include("yingxiao.core.urls")),
    path("", include("yingxiao.web.urls")),
]
