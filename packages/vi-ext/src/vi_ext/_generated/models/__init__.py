"""Contains all the data models used in inputs/outputs"""

from .asset import Asset
from .asset_annotations import AssetAnnotations
from .asset_contents import AssetContents
from .asset_count import AssetCount
from .asset_custom_metadata import AssetCustomMetadata
from .asset_dimensions import AssetDimensions
from .asset_for_upload import AssetForUpload
from .asset_generations import AssetGenerations
from .asset_hash import AssetHash
from .asset_ingestion_error_event import AssetIngestionErrorEvent
from .asset_ingestion_error_event_files import AssetIngestionErrorEventFiles
from .asset_ingestion_progress_count import AssetIngestionProgressCount
from .asset_ingestion_progress_event import AssetIngestionProgressEvent
from .asset_ingestion_progress_event_tasks import AssetIngestionProgressEventTasks
from .asset_ingestion_session import AssetIngestionSession
from .asset_ingestion_session_create import AssetIngestionSessionCreate
from .asset_ingestion_session_create_spec import AssetIngestionSessionCreateSpec
from .asset_ingestion_session_list import AssetIngestionSessionList
from .asset_ingestion_session_spec import AssetIngestionSessionSpec
from .asset_ingestion_session_status import AssetIngestionSessionStatus
from .asset_ingestion_unknown_event import AssetIngestionUnknownEvent
from .asset_list import AssetList
from .asset_metadata import AssetMetadata
from .asset_metadata_user_defined import AssetMetadataUserDefined
from .asset_pixel_ratio import AssetPixelRatio
from .asset_rename import AssetRename
from .asset_sort_field import AssetSortField
from .asset_status_definition import AssetStatusDefinition
from .count_map import CountMap
from .dataset import Dataset
from .dataset_access import DatasetAccess
from .dataset_asset_statuses import DatasetAssetStatuses
from .dataset_create import DatasetCreate
from .dataset_create_metadata import DatasetCreateMetadata
from .dataset_delete_operation import DatasetDeleteOperation
from .dataset_delete_operation_status import DatasetDeleteOperationStatus
from .dataset_list import DatasetList
from .dataset_preference import DatasetPreference
from .dataset_statistic import DatasetStatistic
from .dataset_tag_details_type_0 import DatasetTagDetailsType0
from .dataset_update import DatasetUpdate
from .dataset_update_metadata import DatasetUpdateMetadata
from .dataset_update_preference import DatasetUpdatePreference
from .dataset_user_role import DatasetUserRole
from .dataset_users import DatasetUsers
from .delete_many_assets_session import DeleteManyAssetsSession
from .delete_many_assets_session_create import DeleteManyAssetsSessionCreate
from .delete_many_assets_session_list import DeleteManyAssetsSessionList
from .delete_many_assets_session_spec import DeleteManyAssetsSessionSpec
from .delete_many_assets_session_spec_input import DeleteManyAssetsSessionSpecInput
from .delete_many_assets_session_status import DeleteManyAssetsSessionStatus
from .error import Error
from .filter_object import FilterObject
from .multipart_upload import MultipartUpload
from .multipart_upload_create import MultipartUploadCreate
from .multipart_upload_create_spec import MultipartUploadCreateSpec
from .multipart_upload_spec import MultipartUploadSpec
from .multipart_upload_status import MultipartUploadStatus
from .part_completion import PartCompletion
from .part_signed_url import PartSignedUrl
from .part_url_request import PartUrlRequest
from .resource_condition import ResourceCondition
from .resource_metadata import ResourceMetadata
from .resource_retention_mode_input import ResourceRetentionModeInput
from .signed_request import SignedRequest
from .sort_order import SortOrder
from .string_map import StringMap
from .tag_detail import TagDetail
from .upload_asset_spec import UploadAssetSpec
from .uploaded_asset_metadata import UploadedAssetMetadata
from .yes_no import YesNo

__all__ = (
    "Asset",
    "AssetAnnotations",
    "AssetContents",
    "AssetCount",
    "AssetCustomMetadata",
    "AssetDimensions",
    "AssetForUpload",
    "AssetGenerations",
    "AssetHash",
    "AssetIngestionErrorEvent",
    "AssetIngestionErrorEventFiles",
    "AssetIngestionProgressCount",
    "AssetIngestionProgressEvent",
    "AssetIngestionProgressEventTasks",
    "AssetIngestionSession",
    "AssetIngestionSessionCreate",
    "AssetIngestionSessionCreateSpec",
    "AssetIngestionSessionList",
    "AssetIngestionSessionSpec",
    "AssetIngestionSessionStatus",
    "AssetIngestionUnknownEvent",
    "AssetList",
    "AssetMetadata",
    "AssetMetadataUserDefined",
    "AssetPixelRatio",
    "AssetRename",
    "AssetSortField",
    "AssetStatusDefinition",
    "CountMap",
    "Dataset",
    "DatasetAccess",
    "DatasetAssetStatuses",
    "DatasetCreate",
    "DatasetCreateMetadata",
    "DatasetDeleteOperation",
    "DatasetDeleteOperationStatus",
    "DatasetList",
    "DatasetPreference",
    "DatasetStatistic",
    "DatasetTagDetailsType0",
    "DatasetUpdate",
    "DatasetUpdateMetadata",
    "DatasetUpdatePreference",
    "DatasetUserRole",
    "DatasetUsers",
    "DeleteManyAssetsSession",
    "DeleteManyAssetsSessionCreate",
    "DeleteManyAssetsSessionList",
    "DeleteManyAssetsSessionSpec",
    "DeleteManyAssetsSessionSpecInput",
    "DeleteManyAssetsSessionStatus",
    "Error",
    "FilterObject",
    "MultipartUpload",
    "MultipartUploadCreate",
    "MultipartUploadCreateSpec",
    "MultipartUploadSpec",
    "MultipartUploadStatus",
    "PartCompletion",
    "PartSignedUrl",
    "PartUrlRequest",
    "ResourceCondition",
    "ResourceMetadata",
    "ResourceRetentionModeInput",
    "SignedRequest",
    "SortOrder",
    "StringMap",
    "TagDetail",
    "UploadAssetSpec",
    "UploadedAssetMetadata",
    "YesNo",
)
