from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.filter_object import FilterObject


T = TypeVar("T", bound="DeleteManyAssetsSessionSpecInput")


@_attrs_define
class DeleteManyAssetsSessionSpecInput:
    """Which assets to delete; all four keys may be null (no filter deletes every asset).

    Example:
        {'filter': '{"status": "error"}', 'metadataQuery': None, 'ruleQuery': None, 'strictQuery': True}

    """

    filter_: FilterObject | None | str | Unset = UNSET
    """ Filter as a JSON string or object. """
    metadata_query: None | str | Unset = UNSET
    """ Query on custom metadata. """
    rule_query: None | str | Unset = UNSET
    """ Query on asset metadata. """
    strict_query: bool | None | Unset = UNSET
    """ Exact filter matching. """

    def to_dict(self) -> dict[str, Any]:
        from ..models.filter_object import FilterObject  # noqa: PLC0415

        filter_: dict[str, Any] | None | str | Unset
        if isinstance(self.filter_, Unset):
            filter_ = UNSET
        elif isinstance(self.filter_, FilterObject):
            filter_ = self.filter_.to_dict()
        else:
            filter_ = self.filter_

        metadata_query: None | str | Unset
        if isinstance(self.metadata_query, Unset):
            metadata_query = UNSET
        else:
            metadata_query = self.metadata_query

        rule_query: None | str | Unset
        if isinstance(self.rule_query, Unset):
            rule_query = UNSET
        else:
            rule_query = self.rule_query

        strict_query: bool | None | Unset
        if isinstance(self.strict_query, Unset):
            strict_query = UNSET
        else:
            strict_query = self.strict_query

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if filter_ is not UNSET:
            field_dict["filter"] = filter_
        if metadata_query is not UNSET:
            field_dict["metadataQuery"] = metadata_query
        if rule_query is not UNSET:
            field_dict["ruleQuery"] = rule_query
        if strict_query is not UNSET:
            field_dict["strictQuery"] = strict_query

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.filter_object import FilterObject  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_filter_(data: object) -> FilterObject | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                filter_type_1 = FilterObject.from_dict(data)

                return filter_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FilterObject | None | str | Unset, data)

        filter_ = _parse_filter_(d.pop("filter", UNSET))

        def _parse_metadata_query(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        metadata_query = _parse_metadata_query(d.pop("metadataQuery", UNSET))

        def _parse_rule_query(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rule_query = _parse_rule_query(d.pop("ruleQuery", UNSET))

        def _parse_strict_query(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        strict_query = _parse_strict_query(d.pop("strictQuery", UNSET))

        delete_many_assets_session_spec_input = cls(
            filter_=filter_,
            metadata_query=metadata_query,
            rule_query=rule_query,
            strict_query=strict_query,
        )

        return delete_many_assets_session_spec_input
