from enum import StrEnum


class ResourceRetentionModeInput(StrEnum):
    KEEP_LINKED_RESOURCE = "KeepLinkedResource"
    KEEP_LINKED_RESOURCES = "KeepLinkedResources"
    REMOVE_LINKED_RESOURCE = "RemoveLinkedResource"

    def __str__(self) -> str:
        return str(self.value)
