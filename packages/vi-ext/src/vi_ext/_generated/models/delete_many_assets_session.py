from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.delete_many_assets_session_spec import DeleteManyAssetsSessionSpec
    from ..models.delete_many_assets_session_status import DeleteManyAssetsSessionStatus
    from ..models.resource_metadata import ResourceMetadata


T = TypeVar("T", bound="DeleteManyAssetsSession")


@_attrs_define
class DeleteManyAssetsSession:
    """A bulk-delete session.

    Example:
        {'kind': 'DeleteManyAssetsSession', 'workspaceId': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'datasetId':
            '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123', 'deleteManyAssetsSessionId': 'd1a2b3c4d5e6f7a8b9c0d1e2',
            'selfLink':
            '/workspaces/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f/datasets/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-
            abc123/deleteManyAssetsSessions/d1a2b3c4d5e6f7a8b9c0d1e2', 'etag': 'W/"2"', 'metadata': {'timeCreated':
            1732406400000, 'lastUpdated': 1732406405000, 'generation': 2, 'attributes': {}}, 'spec': {'filter': None,
            'metadataQuery': None, 'ruleQuery': None, 'strictQuery': None}, 'status': {'conditions': [{'condition':
            'Finished', 'status': 'Reached', 'lastTransitionTime': 1732406405000}, {'condition': 'Started', 'status':
            'Reached', 'lastTransitionTime': 1732406400000}]}}

    """

    kind: str
    """ `DeleteManyAssetsSession`. """
    workspace_id: str
    """ The organization id. """
    dataset_id: str
    """ Composite dataset id. """
    delete_many_assets_session_id: str
    """ An id as it appears in a path. """
    self_link: str
    """ URL of this resource. """
    etag: str
    """ Version tag. """
    metadata: ResourceMetadata
    """ Bookkeeping every resource carries. """
    spec: DeleteManyAssetsSessionSpec
    """ Which assets the session deletes, as answered. """
    status: DeleteManyAssetsSessionStatus
    """ Where the bulk delete is. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind

        workspace_id = self.workspace_id

        dataset_id = self.dataset_id

        delete_many_assets_session_id = self.delete_many_assets_session_id

        self_link = self.self_link

        etag = self.etag

        metadata = self.metadata.to_dict()

        spec = self.spec.to_dict()

        status = self.status.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "workspaceId": workspace_id,
                "datasetId": dataset_id,
                "deleteManyAssetsSessionId": delete_many_assets_session_id,
                "selfLink": self_link,
                "etag": etag,
                "metadata": metadata,
                "spec": spec,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delete_many_assets_session_spec import DeleteManyAssetsSessionSpec  # noqa: PLC0415
        from ..models.delete_many_assets_session_status import DeleteManyAssetsSessionStatus  # noqa: PLC0415
        from ..models.resource_metadata import ResourceMetadata  # noqa: PLC0415

        d = dict(src_dict)
        kind = d.pop("kind")

        workspace_id = d.pop("workspaceId")

        dataset_id = d.pop("datasetId")

        delete_many_assets_session_id = d.pop("deleteManyAssetsSessionId")

        self_link = d.pop("selfLink")

        etag = d.pop("etag")

        metadata = ResourceMetadata.from_dict(d.pop("metadata"))

        spec = DeleteManyAssetsSessionSpec.from_dict(d.pop("spec"))

        status = DeleteManyAssetsSessionStatus.from_dict(d.pop("status"))

        delete_many_assets_session = cls(
            kind=kind,
            workspace_id=workspace_id,
            dataset_id=dataset_id,
            delete_many_assets_session_id=delete_many_assets_session_id,
            self_link=self_link,
            etag=etag,
            metadata=metadata,
            spec=spec,
            status=status,
        )

        delete_many_assets_session.additional_properties = d
        return delete_many_assets_session

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
