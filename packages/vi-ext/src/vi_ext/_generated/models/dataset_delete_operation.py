from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dataset_delete_operation_status import DatasetDeleteOperationStatus
    from ..models.resource_metadata import ResourceMetadata


T = TypeVar("T", bound="DatasetDeleteOperation")


@_attrs_define
class DatasetDeleteOperation:
    """The deletion of a dataset.

    Example:
        {'kind': 'DatasetDeleteOperation', 'user': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'workspaceId':
            '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'datasetId': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123',
            'selfLink':
            '/workspaces/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f/datasets/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-
            abc123/deleteOperation', 'etag': 'W/"2"', 'metadata': {'timeCreated': 1732406400000, 'lastUpdated':
            1732406405000, 'generation': 2, 'attributes': {}}, 'status': {'conditions': [{'condition': 'Finished', 'status':
            'Reached', 'lastTransitionTime': 1732406405000, 'reason': 'Completed'}, {'condition': 'Started', 'status':
            'Reached', 'lastTransitionTime': 1732406400000}]}}

    """

    kind: str
    """ `DatasetDeleteOperation`. """
    user: str
    """ Who asked for the deletion. """
    workspace_id: str
    """ The organization id. """
    dataset_id: str
    """ Composite id of the deleted dataset. """
    self_link: str
    """ URL of this resource. """
    etag: str
    """ Version tag. """
    metadata: ResourceMetadata
    """ Bookkeeping every resource carries. """
    status: DatasetDeleteOperationStatus
    """ Progress of a dataset deletion. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        user = self.user

        workspace_id = self.workspace_id

        dataset_id = self.dataset_id

        self_link = self.self_link

        etag = self.etag

        metadata = self.metadata.to_dict()

        status = self.status.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "user": user,
                "workspaceId": workspace_id,
                "datasetId": dataset_id,
                "selfLink": self_link,
                "etag": etag,
                "metadata": metadata,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dataset_delete_operation_status import DatasetDeleteOperationStatus  # noqa: PLC0415
        from ..models.resource_metadata import ResourceMetadata  # noqa: PLC0415

        d = dict(src_dict)
        kind = d.pop("kind")

        user = d.pop("user")

        workspace_id = d.pop("workspaceId")

        dataset_id = d.pop("datasetId")

        self_link = d.pop("selfLink")

        etag = d.pop("etag")

        metadata = ResourceMetadata.from_dict(d.pop("metadata"))

        status = DatasetDeleteOperationStatus.from_dict(d.pop("status"))

        dataset_delete_operation = cls(
            kind=kind,
            user=user,
            workspace_id=workspace_id,
            dataset_id=dataset_id,
            self_link=self_link,
            etag=etag,
            metadata=metadata,
            status=status,
        )

        dataset_delete_operation.additional_properties = d
        return dataset_delete_operation

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
