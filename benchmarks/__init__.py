"""The `make bench` suite: 1M customers / 10M activities on PostgreSQL, measured through HTTP."""
