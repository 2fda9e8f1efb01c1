from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.count_map import CountMap
    from ..models.dataset_access import DatasetAccess
    from ..models.dataset_asset_statuses import DatasetAssetStatuses
    from ..models.dataset_preference import DatasetPreference
    from ..models.dataset_statistic import DatasetStatistic
    from ..models.dataset_tag_details_type_0 import DatasetTagDetailsType0
    from ..models.dataset_users import DatasetUsers


T = TypeVar("T", bound="Dataset")


@_attrs_define
class Dataset:
    """A dataset.

    Example:
        {'kind': 'Dataset', 'datasetId': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123', 'name': 'Cats and dogs',
            'owner': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'workspaceId': '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f', 'type':
            'phrase-grounding', 'content': 'Image', 'createDate': 1732406400000, 'statistic': {'assetTotal': 300,
            'annotationTotal': 0, 'tagsCount': {}, 'assetAnnotated': 0}, 'users': {'user-1': {'workspaceRole': 'Owner',
            'datasets': {}}, 'user-2': 'Viewer'}, 'tags': {}, 'cohorts': [], 'status': 0, 'lastAccessed': 1732406400000,
            'isLocked': False, 'access': {'isPublic': False, 'isReadOnly': False, 'isHidden': False}, 'preference':
            {'showThumbnails': True, 'theme': 'dark'}, 'assetStatuses': {'review': {'description': 'Needs review', 'color':
            '#ff0000', 'createDate': 1732406400000}}, 'selfLink':
            '/workspaces/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f/datasets/9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123',
            'etag': 'W/"2"', 'localization': 'Datature/Multi', 'dataLocalization': 'Datature/Multi', 'description': 'Pets',
            'tagDetails': {'cat': {'description': 'A cat', 'color': '#00ff00'}}, 'isDemoProject': False, 'deleteOp': None,
            'bypassQuota': False}

    """

    dataset_id: str
    """ Composite id `{organizationId}_{datasetId}`. """
    name: str
    """ Display name. """
    owner: str
    """ Owning organization. """
    workspace_id: str
    """ The organization id. """
    type_: str
    """ What the dataset is annotated for. Known values: `phrase-grounding`, `vqa`, `freeform`. """
    content: str
    """ The kind of media in the dataset. Known values: `Image`. """
    create_date: int
    """ Milliseconds since the Unix epoch. """
    statistic: DatasetStatistic
    """ Counts kept for a dataset. """
    users: DatasetUsers
    """ Users by id, with a role name or a role object. """
    tags: CountMap
    """ A map of counts. """
    cohorts: list[Any]
    """ Cohorts of the dataset. """
    status: int
    """ Status code. """
    last_accessed: int
    """ Milliseconds since the Unix epoch. """
    is_locked: bool
    """ Locked against changes. """
    access: DatasetAccess
    """ Access flags. """
    preference: DatasetPreference
    """ Preferences. """
    asset_statuses: DatasetAssetStatuses
    """ Custom asset statuses by name. """
    self_link: str
    """ URL of this resource. """
    etag: str
    """ Version tag. """
    kind: Literal["Dataset"] | Unset = UNSET
    """ Type tag. """
    localization: str | Unset = UNSET
    """ Where the data lives. Known values: `Datature/Multi`. """
    data_localization: str | Unset = UNSET
    """ Where the data lives. Known values: `Datature/Multi`. """
    description: None | str | Unset = UNSET
    """ Free text (may be null). """
    tag_details: DatasetTagDetailsType0 | None | Unset = UNSET
    """ Tag display details by tag name (may be null). """
    is_demo_project: bool | Unset = UNSET
    """ A demo dataset. """
    delete_op: None | str | Unset = UNSET
    """ The delete operation under way on the dataset (its id), or null when none. """
    bypass_quota: bool | Unset = UNSET
    """ Not counted against quota. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.dataset_tag_details_type_0 import DatasetTagDetailsType0  # noqa: PLC0415

        dataset_id = self.dataset_id

        name = self.name

        owner = self.owner

        workspace_id = self.workspace_id

        type_ = self.type_

        content = self.content

        create_date = self.create_date

        statistic = self.statistic.to_dict()

        users = self.users.to_dict()

        tags = self.tags.to_dict()

        cohorts = self.cohorts

        status = self.status

        last_accessed = self.last_accessed

        is_locked = self.is_locked

        access = self.access.to_dict()

        preference = self.preference.to_dict()

        asset_statuses = self.asset_statuses.to_dict()

        self_link = self.self_link

        etag = self.etag

        kind = self.kind

        localization = self.localization

        data_localization = self.data_localization

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        tag_details: dict[str, Any] | None | Unset
        if isinstance(self.tag_details, Unset):
            tag_details = UNSET
        elif isinstance(self.tag_details, DatasetTagDetailsType0):
            tag_details = self.tag_details.to_dict()
        else:
            tag_details = self.tag_details

        is_demo_project = self.is_demo_project

        delete_op: None | str | Unset
        if isinstance(self.delete_op, Unset):
            delete_op = UNSET
        else:
            delete_op = self.delete_op

        bypass_quota = self.bypass_quota

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "datasetId": dataset_id,
                "name": name,
                "owner": owner,
                "workspaceId": workspace_id,
                "type": type_,
                "content": content,
                "createDate": create_date,
                "statistic": statistic,
                "users": users,
                "tags": tags,
                "cohorts": cohorts,
                "status": status,
                "lastAccessed": last_accessed,
                "isLocked": is_locked,
                "access": access,
                "preference": preference,
                "assetStatuses": asset_statuses,
                "selfLink": self_link,
                "etag": etag,
            }
        )
        if kind is not UNSET:
            field_dict["kind"] = kind
        if localization is not UNSET:
            field_dict["localization"] = localization
        if data_localization is not UNSET:
            field_dict["dataLocalization"] = data_localization
        if description is not UNSET:
            field_dict["description"] = description
        if tag_details is not UNSET:
            field_dict["tagDetails"] = tag_details
        if is_demo_project is not UNSET:
            field_dict["isDemoProject"] = is_demo_project
        if delete_op is not UNSET:
            field_dict["deleteOp"] = delete_op
        if bypass_quota is not UNSET:
            field_dict["bypassQuota"] = bypass_quota

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.count_map import CountMap  # noqa: PLC0415
        from ..models.dataset_access import DatasetAccess  # noqa: PLC0415
        from ..models.dataset_asset_statuses import DatasetAssetStatuses  # noqa: PLC0415
        from ..models.dataset_preference import DatasetPreference  # noqa: PLC0415
        from ..models.dataset_statistic import DatasetStatistic  # noqa: PLC0415
        from ..models.dataset_tag_details_type_0 import DatasetTagDetailsType0  # noqa: PLC0415
        from ..models.dataset_users import DatasetUsers  # noqa: PLC0415

        d = dict(src_dict)
        dataset_id = d.pop("datasetId")

        name = d.pop("name")

        owner = d.pop("owner")

        workspace_id = d.pop("workspaceId")

        type_ = d.pop("type")

        content = d.pop("content")

        create_date = d.pop("createDate")

        statistic = DatasetStatistic.from_dict(d.pop("statistic"))

        users = DatasetUsers.from_dict(d.pop("users"))

        tags = CountMap.from_dict(d.pop("tags"))

        cohorts = cast(list[Any], d.pop("cohorts"))

        status = d.pop("status")

        last_accessed = d.pop("lastAccessed")

        is_locked = d.pop("isLocked")

        access = DatasetAccess.from_dict(d.pop("access"))

        preference = DatasetPreference.from_dict(d.pop("preference"))

        asset_statuses = DatasetAssetStatuses.from_dict(d.pop("assetStatuses"))

        self_link = d.pop("selfLink")

        etag = d.pop("etag")

        kind = cast(Literal["Dataset"] | Unset, d.pop("kind", UNSET))
        if kind != "Dataset" and not isinstance(kind, Unset):
            raise ValueError(f"kind must match const 'Dataset', got '{kind}'")

        localization = d.pop("localization", UNSET)

        data_localization = d.pop("dataLocalization", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_tag_details(data: object) -> DatasetTagDetailsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tag_details_type_0 = DatasetTagDetailsType0.from_dict(data)

                return tag_details_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DatasetTagDetailsType0 | None | Unset, data)

        tag_details = _parse_tag_details(d.pop("tagDetails", UNSET))

        is_demo_project = d.pop("isDemoProject", UNSET)

        def _parse_delete_op(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        delete_op = _parse_delete_op(d.pop("deleteOp", UNSET))

        bypass_quota = d.pop("bypassQuota", UNSET)

        dataset = cls(
            dataset_id=dataset_id,
            name=name,
            owner=owner,
            workspace_id=workspace_id,
            type_=type_,
            content=content,
            create_date=create_date,
            statistic=statistic,
            users=users,
            tags=tags,
            cohorts=cohorts,
            status=status,
            last_accessed=last_accessed,
            is_locked=is_locked,
            access=access,
            preference=preference,
            asset_statuses=asset_statuses,
            self_link=self_link,
            etag=etag,
            kind=kind,
            localization=localization,
            data_localization=data_localization,
            description=description,
            tag_details=tag_details,
            is_demo_project=is_demo_project,
            delete_op=delete_op,
            bypass_quota=bypass_quota,
        )

        dataset.additional_properties = d
        return dataset

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
