"""Partnerships: who supplies which outlet, agreements and their rates, settlement statements."""
