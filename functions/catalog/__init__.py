"""Catalog: products, sellers, offers, the category tree, and bulk import."""
