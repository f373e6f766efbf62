"""Ledger: wallets, seller escrow and balances, payouts, on a double-entry ledger."""
