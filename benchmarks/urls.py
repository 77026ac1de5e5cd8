"""Fallback URLconf: the project's URLs plus the customers API, for when the API is not routed yet.

Used only when ``reverse("customer-list")`` fails with the project's own URLconf; the results then
say so. The views are the app's own (``yingxiao.customers.api``); only the routing is added here.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from config.urls import urlpatterns as project_urlpatterns
from yingxiao.customers.api import register

router = DefaultRouter()
register(router)

urlpatterns = [path("api/v1/", include(router.urls)), *project_urlpatterns]
