"""Outlet ↔ central sync: the outbox, the push ingest, the change feed, outlet tokens and the worker."""
