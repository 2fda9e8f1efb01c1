from enum import StrEnum


class AssetSortField(StrEnum):
    ASSET_ID = "assetId"
    DEFAULT = "default"
    FILENAME = "filename"
    LAST_MODIFIED_CONTENTS = "lastModified.contents"
    METADATA_FILE_SIZE = "metadata.fileSize"

    def __str__(self) -> str:
        return str(self.value)
