"""Benchmarks against the local cloud (``make bench``). They print figures; they assert nothing."""
