"""The running daemon: scheduler, core and adapters wired together."""
