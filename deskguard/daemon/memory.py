"""Giving the system back what a burst of work freed."""

from __future__ import annotations

import gc


def give_back_freed_memory() -> None:
    """Return freed heap to the system (glibc's malloc_trim).

    glibc keeps what a burst freed (the buffers of many clients at once, say) for later
    use, so without this the daemon's RSS would stay at the burst's peak all day. Only
    after a burst: an idle daemon never even loads ctypes. Where the C library has no
    malloc_trim (musl), freed memory stays where the allocator keeps it.
    """
    import ctypes

    gc.collect()  # buffers a connection's reference cycles still hold
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
