from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.delete_many_assets_session_spec_input import DeleteManyAssetsSessionSpecInput


T = TypeVar("T", bound="DeleteManyAssetsSessionCreate")


@_attrs_define
class DeleteManyAssetsSessionCreate:
    """Body of `createDeleteManyAssetsSession`.

    Example:
        {'spec': {'filter': None, 'metadataQuery': None, 'ruleQuery': None, 'strictQuery': None}}

    """

    spec: DeleteManyAssetsSessionSpecInput
    """ Which assets to delete; all four keys may be null (no filter deletes every asset). """

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "spec": spec,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delete_many_assets_session_spec_input import DeleteManyAssetsSessionSpecInput  # noqa: PLC0415

        d = dict(src_dict)
        spec = DeleteManyAssetsSessionSpecInput.from_dict(d.pop("spec"))

        delete_many_assets_session_create = cls(
            spec=spec,
        )

        return delete_many_assets_session_create
