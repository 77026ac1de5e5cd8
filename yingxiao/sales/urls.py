from django.urls import path

from .views import catalog, quotes

app_name = "sales"
urlpatterns = [
    path("quotes/", quotes.quote_list_view, name="quotes"),
    path("quotes/new/", quotes.quote_create_view, name="quote_create"),
    path("quotes/<int:pk>/", quotes.quote_detail_view, name="quote_detail"),
    path("quotes/<int:pk>/lines/", quotes.quote_line_add_view, name="quote_line_add"),
    path("quotes/<int:pk>/lines/<int:line_id>/remove/", quotes.quote_line_remove_view, name="quote_line_remove"),
    path("quotes/<int:pk>/v<int:version>.pdf", quotes.quote_pdf_view, name="quote_pdf"),
    path("quotes/<int:pk>/<slug:action>/", quotes.quote_action_view, name="quote_action"),
    path("products/", catalog.product_list_view, name="products"),
    path("price-lists/", catalog.price_list_list_view, name="price_lists"),
    path("price-lists/<int:pk>/", catalog.price_list_detail_view, name="price_list"),
    path("requests/", catalog.request_queue_view, name="request_queue"),
    path("requests/new/", catalog.request_create_view, name="request_create"),
    path("requests/<int:pk>/answer/", catalog.request_answer_view, name="request_answer"),
]
