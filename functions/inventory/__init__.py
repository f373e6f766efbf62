"""Inventory: stock per offer and warehouse, reservations, and the movement ledger."""
