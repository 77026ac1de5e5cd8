from django.urls import include, path

from . import pool_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("check-duplicates/", views.check_duplicates, name="check_duplicates"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/transfer/", views.customer_transfer, name="transfer"),
    path("<int:pk>/contacts/add/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("pool/", pool_views.pool_list, name="pool"),
    path("pool/<int:pk>/claim/", pool_views.pool_claim, name="pool_claim"),
    path("pool/preview/", pool_views.pool_preview, name="pool_preview"),
    path("pool/apply/", pool_views.pool_apply, name="pool_apply"),
    path("pool/apply/<str:task_id>/", pool_views.pool_apply_status, name="pool_apply_status"),
    path("pool/reassign/", pool_views.pool_reassign, name="pool_reassign"),
    path("allocate/", pool_views.allocation_create, name="allocate"),
    path("allocations/<int:pk>/", pool_views.allocation_detail, name="allocation_detail"),
    path("<int:pk>/blacklist/", pool_views.blacklist_request, name="blacklist_request"),
]

# Grade reviews, admission, invitations, tracking sheets, referrals (CUS-4/5/8/10/13).
urlpatterns += [path("", include("yingxiao.customers.relations.urls"))]

# Customer archive import: dry run, then apply and allocate (CUS-2, CUS-6).
from . import views_export, views_import  # noqa: E402

urlpatterns += [path("import/", views_import.import_view, name="import")]
# The list as Excel or CSV through the shared export control (ARC-2), in the viewer's scope (ORG-5).
urlpatterns += [path("export/", views_export.customer_export_view, name="export")]
