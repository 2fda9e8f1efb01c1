"""The `vi-ext` command line."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """vi-ext: move image datasets in and out of Datature Vi."""
