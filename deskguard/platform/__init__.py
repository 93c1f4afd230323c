"""Adapters, one per operating-system facility, each behind a small Protocol."""
