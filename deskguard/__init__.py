"""deskguard: notices when you have been sitting too long and gets you to stand up and stretch."""

__version__ = "0.1.0"
