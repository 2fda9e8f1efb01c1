"""vi-ext-compat and the official vi-sdk both install a top-level ``vi``: warn when both are present."""

from __future__ import annotations

import warnings
from importlib.metadata import PackageNotFoundError, version

OFFICIAL = "vi-sdk"


def official_sdk_version() -> str | None:
    """The installed version of the official ``vi-sdk`` distribution.

    Returns:
        The version, or ``None`` when it is not installed.
    """
    try:
        return version(OFFICIAL)
    except PackageNotFoundError:
        return None


def conflict_message(official: str) -> str:
    """The warning text for an environment that also has the official ``vi-sdk`` installed.

    Args:
        official: the installed ``vi-sdk`` version.

    Returns:
        The message: what conflicts and how to keep one.
    """
    return (
        f"the `vi` package of vi-ext-compat conflicts with the official vi-sdk {official} installed in this "
        "environment: both install a top-level `vi`, so whichever was installed last owns it and "
        "uninstalling either breaks the other. Keep one: `pip uninstall vi-ext-compat` (and use `import vi_ext` "
        "beside vi-sdk), or `pip uninstall vi-sdk`."
    )


def warn_if_official_sdk_installed() -> None:
    """Emit a RuntimeWarning when ``vi-sdk`` is installed beside vi-ext-compat."""
    official = official_sdk_version()
    if official is not None:
        warnings.warn(conflict_message(official), RuntimeWarning, stacklevel=3)
