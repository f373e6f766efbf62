"""Orders: the order record, its lifecycle and status history."""
