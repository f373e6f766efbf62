"""Flash sales: limited units at a sale price in a time window, sold on sharded stock."""
