"""Returns and refunds: return requests, the decision, the goods coming back, the refund saga."""
