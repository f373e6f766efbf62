"""Cart: each customer's cart lines (offers and quantities), kept 30 days after the last change."""
