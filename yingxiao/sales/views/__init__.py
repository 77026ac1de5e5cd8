"""Sales pages: quotes (views.quotes), catalog and the quoting queue (views.catalog)."""
