"""The installed version of vi-ext (one source: ``packages/vi-ext/pyproject.toml``)."""

from importlib.metadata import version

__version__ = version("vi-ext")
