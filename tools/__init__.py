"""Build tools of the vi-ext project (not installed)."""
