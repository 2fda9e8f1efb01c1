from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.string_map import StringMap


T = TypeVar("T", bound="DatasetUserRole")


@_attrs_define
class DatasetUserRole:
    """A user's role in the workspace and per dataset.

    Example:
        {'workspaceRole': 'Owner', 'datasets': {}}

    """

    workspace_role: str
    """ Role in the workspace. """
    datasets: StringMap
    """ A map of strings. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        workspace_role = self.workspace_role

        datasets = self.datasets.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "workspaceRole": workspace_role,
                "datasets": datasets,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.string_map import StringMap  # noqa: PLC0415

        d = dict(src_dict)
        workspace_role = d.pop("workspaceRole")

        datasets = StringMap.from_dict(d.pop("datasets"))

        dataset_user_role = cls(
            workspace_role=workspace_role,
            datasets=datasets,
        )

        dataset_user_role.additional_properties = d
        return dataset_user_role

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
