"""The listing hot path: a listing item's JSON straight to a public `vi_ext.models.Asset`.

``convert.asset(g.Asset.from_dict(item), org)`` is the definition of the result; this module
only skips the generated models in between (they cost about two thirds of the client's CPU on a
large listing). It decodes an item only when the item has exactly the shape that path would
decode without surprise: every required key present, every nested object a JSON object, every
list a JSON list. Anything else (a missing key, a null where an object is required, an object
where the generated model keeps the raw value) goes through the generated path, which decides
the outcome there, error included. Values the generated models pass through unchecked (strings,
numbers, unknown enum values, extra fields) are passed through (or ignored) here in the same way.
`tests/sdk/test_fast_decode.py` checks the equivalence against the generated models.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from vi_ext import convert
from vi_ext import models as m
from vi_ext._generated import models as g
from vi_ext.errors import ViError, ViServerError
from vi_ext.wire import short_dataset_id


def asset(item: Any, organization_id: str) -> m.Asset:
    """One listing item as a public Asset: the same value as the generated path gives.

    Args:
        item: the decoded JSON of one asset.
        organization_id: the organization whose ``{org}_`` prefix is stripped from the dataset id.

    Returns:
        The public asset.

    Raises:
        Exception: whatever the generated path raises for an item it cannot decode.
    """
    got = try_asset(item, organization_id)
    return got if got is not None else generated_asset(item, organization_id)


def generated_asset(item: Any, organization_id: str) -> m.Asset:
    """The generated path, which defines the result: ``convert.asset(g.Asset.from_dict(item), org)``.

    Args:
        item: the decoded JSON of one asset.
        organization_id: the organization id.

    Returns:
        The public asset.
    """
    return convert.asset(g.Asset.from_dict(item), organization_id)


def assets(items: list[Any], organization_id: str) -> list[m.Asset]:
    """Every item of a listing page (see `asset`)."""
    return [asset(item, organization_id) for item in items]


class _Unusual(Exception):
    """The item is not of the plain shape: the generated path must decide."""


def deferred(items: list[Any], organization_id: str) -> Callable[[], list[m.Asset]]:
    """`assets` of a page, to run later (a listing decodes a page while the next one is fetched).

    Args:
        items: the page's decoded JSON items.
        organization_id: the organization id.

    Returns:
        A function giving the page's assets; it raises `ViServerError` for an item the generated
        path refuses, as the request that fetched the page would have.
    """

    def decode() -> list[m.Asset]:
        try:
            return assets(items, organization_id)
        except ViError:
            raise
        except Exception as exc:  # malformed answer: never a traceback from deep inside
            raise ViServerError(f"unexpected answer listing assets: {exc!r}") from exc

    return decode


def try_asset(item: Any, organization_id: str) -> m.Asset | None:
    """The public asset, or ``None`` when the item is unusual and the generated path must decide.

    Args:
        item: the decoded JSON of one asset.
        organization_id: the organization id.

    Returns:
        The asset, or ``None`` (nothing is decoded halfway: the caller starts over).
    """
    try:
        md, dataset_id = _object(item)["metadata"], item["datasetId"]
        if type(dataset_id) is not str:
            return None
        return _build(
            m.Asset,
            asset_id=item["assetId"],
            dataset_id=short_dataset_id(dataset_id, organization_id),
            organization_id=item["workspaceId"],
            filename=item["filename"],
            kind=item["kind"],
            owner=item["owner"],
            metadata=_metadata(_object(md)),
            self_link=item["selfLink"],
            etag=item["etag"],
            contents=_contents(item.get("contents")),
        )
    except (KeyError, _Unusual):  # e.g. a required key is missing: the generated path raises its own error
        return None


_T = TypeVar("_T")
_new = object.__new__
_set = object.__setattr__
BUILT = (m.Asset, m.AssetMetadata, m.AssetGenerations, m.AssetAnnotations, m.AssetDimensions, m.AssetPixelRatio,
         m.AssetHash, m.AssetContents, m.Contents)  # fmt: skip


def _build(cls: type[_T], **fields: Any) -> _T:
    """``cls(**fields)`` for a frozen dataclass of `BUILT`, without its per-field ``object.__setattr__``.

    The generated ``__init__`` of a frozen dataclass only sets each field; setting them all at
    once as the instance's ``__dict__`` is the same object at a tenth of the cost (a third of the
    decoder's). Only for classes with no ``__post_init__``, no slots and no ``init=False`` fields,
    given every field in declaration order: `tests/sdk/test_fast_decode.py` checks both.
    """
    obj = _new(cls)
    _set(obj, "__dict__", fields)
    return obj


def _object(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object."""
    if type(value) is not dict:
        raise _Unusual
    return value


_OBJECTS = ("generations", "annotations", "dimensions", "pixelRatio", "hash", "userDefined", "customMetadata",
            "framesChange")  # fmt: skip


def _metadata(md: dict[str, Any]) -> m.AssetMetadata:
    gen, ann, dim, ratio, hash_, user_defined, custom, frames_change = [_object(md[k]) for k in _OBJECTS]
    cohorts, with_tag = md["cohorts"], _object(ann["withTag"])
    if type(cohorts) is not list:
        raise _Unusual
    return _build(
        m.AssetMetadata,
        width=md["width"],
        height=md["height"],
        file_size=md["fileSize"],
        mime_type=md["mimeType"],
        upload_status=md["uploadStatus"],
        status=md["status"],
        frames=md["frames"],
        visibility=md["visibility"],
        generations=_build(m.AssetGenerations, asset=gen["asset"], thumbnail=gen["thumbnail"]),
        annotations=_build(m.AssetAnnotations, with_tag=dict(with_tag), total=ann["total"]),
        dimensions=_build(m.AssetDimensions, height=dim["height"], width=dim["width"], depth=dim.get("depth")),
        pixel_ratio=_build(m.AssetPixelRatio, height=ratio["height"], width=ratio["width"], depth=ratio.get("depth")),
        hash=_build(m.AssetHash, algorithm=hash_["algorithm"], contents=hash_["contents"]),
        inserted_by=md["insertedBy"],
        cohorts=list(cohorts),
        user_defined=dict(user_defined),
        custom_metadata=dict(custom),
        comments=md["comments"],
        time_created=md["timeCreated"],
        last_updated=md["lastUpdated"],
        source=md["source"],
        custom_metadata_count=md["customMetadataCount"],
        contents_from=md["contentsFrom"],
        frames_change=dict(frames_change),
        contents_last_updated=md["contentsLastUpdated"],
    )


def _contents(src: Any) -> m.AssetContents | None:
    """``contents`` (absent or null: ``None``)."""
    if src is None:
        return None
    got = _object(src)
    return _build(m.AssetContents, asset=_signed(got.get("asset")), thumbnail=_signed(got.get("thumbnail")))


def _signed(src: Any) -> m.Contents | None:
    """One signed request (absent or null: ``None``)."""
    if src is None:
        return None
    got = _object(src)
    headers = got.get("headers")
    if headers is not None:
        headers = dict(_object(headers))
    return _build(m.Contents, url=got["url"], expiry=got["expiry"], headers=headers, method=got.get("method"))
