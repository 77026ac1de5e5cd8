"""API root: /api/v1/ (every app registers its viewsets here), /api/schema/, /api/docs/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from yingxiao.activities.api import register as register_activities
from yingxiao.approvals.api import register as register_approvals
from yingxiao.archives.api import register as register_archives
from yingxiao.core.api_errors import api_not_found
from yingxiao.customers.api import register as register_customers
from yingxiao.customers.api_relations import register as register_customer_relations
from yingxiao.marketing.api import register as register_marketing
from yingxiao.org.api import register as register_org
from yingxiao.performance.api import register as register_performance
from yingxiao.planning.api import register as register_planning
from yingxiao.policy.api import register as register_policy
from yingxiao.reports.api import register as register_reports
from yingxiao.sales.api import register as register_sales
from yingxiao.service.api import register as register_service
from yingxiao.telesales.api import register as register_telesales
from yingxiao.training.api import register as register_training
from yingxiao.workforce.api import register as register_workforce

router = DefaultRouter()
register_org(router)
register_activities(router)
register_customers(router)
register_customer_relations(router)
register_approvals(router)
register_performance(router)
register_policy(router)
register_service(router)
register_telesales(router)
register_sales(router)
register_workforce(router)
register_marketing(router)
register_training(router)
register_planning(router)
register_archives(router)
register_reports(router)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    # Last: any other /api/ URL is a JSON 404 in the API's error format.
    re_path(r"^.*$", api_not_found),
]
