"""Oversight views, one module per part (audit, records, history)."""
