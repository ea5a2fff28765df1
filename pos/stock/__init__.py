"""Investor-owned stock at outlets: the ledger, catalogue and prices, deliveries, counts, returns, restock requests."""
