"""What the tests share: isolated environments, polling, and the daemon in-process."""
