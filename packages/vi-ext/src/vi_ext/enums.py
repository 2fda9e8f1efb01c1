"""Public enums. Values a newer server adds are kept as plain strings, never an error."""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


class SortCriterion(StrEnum):
    """Fields assets can be sorted by."""

    DEFAULT = "default"
    ASSET_ID = "assetId"
    FILENAME = "filename"
    LAST_MODIFIED_CONTENTS = "lastModified.contents"
    METADATA_FILE_SIZE = "metadata.fileSize"


class SortOrder(StrEnum):
    """Sort direction."""

    ASC = "asc"
    DESC = "desc"


class FailureMode(StrEnum):
    """What the server does after a file fails."""

    FAIL_AFTER_ONE = "FailAfterOne"
    FAIL_AFTER_ALL = "FailAfterAll"


class ResourceRetentionMode(StrEnum):
    """What happens to annotations of an overwritten asset."""

    REMOVE_LINKED_RESOURCE = "RemoveLinkedResource"
    KEEP_LINKED_RESOURCES = "KeepLinkedResources"


class AssetIngestionError(StrEnum):
    """Why a file was not ingested."""

    EALREADY = "EALREADY"
    EBADMIME = "EBADMIME"
    EBADSIZE = "EBADSIZE"
    ECORRUPT = "ECORRUPT"
    ENOQUOTA = "ENOQUOTA"
    EOLDMETA = "EOLDMETA"
    ETIMEOUT = "ETIMEOUT"
    ERESNENT = "ERESNENT"
    EPROJECT = "EPROJECT"
    ENOASSET = "ENOASSET"
    ESEQMETA = "ESEQMETA"
    EUNKNOWN = "EUNKNOWN"


class ConditionStatus(StrEnum):
    """Whether a condition is reached."""

    WAITING = "Waiting"
    REACHED = "Reached"
    FAILED_REACH = "FailedReach"


def known(cls: type[E], value: str) -> E | str:
    """The enum member for ``value``, or the value itself when this client does not know it.

    Args:
        cls: the enum.
        value: the wire string.

    Returns:
        The member, or ``value`` unchanged.
    """
    try:
        return cls(value)
    except ValueError:
        return value


def wire_value(value: Enum | str) -> str:
    """The wire string of an enum member or a plain string.

    Args:
        value: an enum member or a string.

    Returns:
        The member's value, or the string.
    """
    return str(value.value) if isinstance(value, Enum) else str(value)
