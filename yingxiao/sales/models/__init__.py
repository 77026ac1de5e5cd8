"""Sales records, split by sub-domain: the product catalog and price lists, quotes, stock and deposits,
orders with production tracking, shipments, contracts, receivables and invoices."""

from .contracts import Contract, Instalment, SealUse
from .deposits import Deposit
from .invoices import InvoiceRequest
from .orders import Order, OrderLine, OrderVersion, ProductionPlan, ProgressEntry
from .products import PriceList, PriceListItem, Product
from .quotes import Quote, QuoteLine, QuoteRequest, QuoteRevision
from .receivables import (
    Allocation,
    Guarantee,
    OverdueNotice,
    Receipt,
    Reconciliation,
    ReconciliationLine,
    WriteOff,
)
from .shipments import LogisticsEntry, Shipment, ShipmentComplaint, ShipmentDocument, SpotCheck
from .stock import StockItem
from .summaries import InstalmentDaySummary

__all__ = [
    "Allocation",
    "Contract",
    "Deposit",
    "Guarantee",
    "Instalment",
    "InstalmentDaySummary",
    "InvoiceRequest",
    "LogisticsEntry",
    "Order",
    "OrderLine",
    "OrderVersion",
    "OverdueNotice",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductionPlan",
    "ProgressEntry",
    "Quote",
    "QuoteLine",
    "QuoteRequest",
    "QuoteRevision",
    "Receipt",
    "Reconciliation",
    "ReconciliationLine",
    "SealUse",
    "Shipment",
    "ShipmentComplaint",
    "ShipmentDocument",
    "SpotCheck",
    "StockItem",
    "WriteOff",
]
