"""Sales records, split by sub-domain: the product catalog and price lists, quotes."""

from .products import PriceList, PriceListItem, Product
from .quotes import Quote, QuoteLine, QuoteRequest, QuoteRevision

__all__ = ["PriceList", "PriceListItem", "Product", "Quote", "QuoteLine", "QuoteRequest", "QuoteRevision"]
