"""laqs-assist: evidence gathering against quality standards."""

__version__ = "0.1.0"
