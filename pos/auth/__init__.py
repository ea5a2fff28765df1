"""Accounts: passwords, PINs, sessions and sign-in."""
