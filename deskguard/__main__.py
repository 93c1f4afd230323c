"""Allows `python -m deskguard`."""

from deskguard.cli import main

main()
