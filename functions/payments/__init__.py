"""Payments: authorizations, captures, voids and refunds through a provider (sandbox here)."""
