"""The functional core: pure decisions from numbers.

Nothing in this package reads a clock, touches a file, starts a thread or imports an
adapter. Callers pass the time in and act on what comes back.
"""
