"""vi-ext: a Python SDK for the Datature Vi asset API."""

__version__ = "0.1.0"
