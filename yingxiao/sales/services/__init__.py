"""Sales business actions, split by sub-domain (house style 1): catalog, quotes, non-standard requests."""

from .products import price_list_create, price_list_item_set, product_create
from .quotes import (
    quote_create,
    quote_line_add,
    quote_line_remove,
    quote_line_update,
    quote_revise,
    quote_send,
    quote_submit,
)
from .requests import quote_request_answer, quote_request_create

__all__ = [
    "price_list_create",
    "price_list_item_set",
    "product_create",
    "quote_create",
    "quote_line_add",
    "quote_line_remove",
    "quote_line_update",
    "quote_request_answer",
    "quote_request_create",
    "quote_revise",
    "quote_send",
    "quote_submit",
]
