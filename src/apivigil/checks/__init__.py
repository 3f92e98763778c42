"""Checks: one module each, grouped by family; see `registry.REGISTRY`."""
