"""Checkout: pricing, coupons, risk rules and the checkout saga's API."""
