from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.multipart_upload import MultipartUpload
from ...models.multipart_upload_create import MultipartUploadCreate
from ...types import Response


def _get_kwargs(
    organization_id: str,
    dataset_id: str,
    asset_source_class: str,
    asset_source_provider: str,
    asset_source_id: str,
    *,
    body: MultipartUploadCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/workspaces/{organization_id}/datasets/{dataset_id}/assetSources/{asset_source_class}/{asset_source_provider}/{asset_source_id}/multipartUploads".format(
            organization_id=quote(str(organization_id), safe=""),
            dataset_id=quote(str(dataset_id), safe=""),
            asset_source_class=quote(str(asset_source_class), safe=""),
            asset_source_provider=quote(str(asset_source_provider), safe=""),
            asset_source_id=quote(str(asset_source_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | MultipartUpload | None:
    if response.status_code == 201:
        response_201 = MultipartUpload.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = Error.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Error.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | MultipartUpload]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organization_id: str,
    dataset_id: str,
    asset_source_class: str,
    asset_source_provider: str,
    asset_source_id: str,
    *,
    client: AuthenticatedClient,
    body: MultipartUploadCreate,
) -> Response[Error | MultipartUpload]:
    """Start a multipart upload of one file of an ingestion session; the server picks `partCount`.

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_class (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_provider (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        body (MultipartUploadCreate): Body of `createMultipartUpload`. Example: {'spec':
            {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'contentType':
            'image/tiff', 'sizeBytes': 1073741824}}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MultipartUpload]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        dataset_id=dataset_id,
        asset_source_class=asset_source_class,
        asset_source_provider=asset_source_provider,
        asset_source_id=asset_source_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organization_id: str,
    dataset_id: str,
    asset_source_class: str,
    asset_source_provider: str,
    asset_source_id: str,
    *,
    client: AuthenticatedClient,
    body: MultipartUploadCreate,
) -> Error | MultipartUpload | None:
    """Start a multipart upload of one file of an ingestion session; the server picks `partCount`.

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_class (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_provider (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        body (MultipartUploadCreate): Body of `createMultipartUpload`. Example: {'spec':
            {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'contentType':
            'image/tiff', 'sizeBytes': 1073741824}}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MultipartUpload
    """

    return sync_detailed(
        organization_id=organization_id,
        dataset_id=dataset_id,
        asset_source_class=asset_source_class,
        asset_source_provider=asset_source_provider,
        asset_source_id=asset_source_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    dataset_id: str,
    asset_source_class: str,
    asset_source_provider: str,
    asset_source_id: str,
    *,
    client: AuthenticatedClient,
    body: MultipartUploadCreate,
) -> Response[Error | MultipartUpload]:
    """Start a multipart upload of one file of an ingestion session; the server picks `partCount`.

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_class (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_provider (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        body (MultipartUploadCreate): Body of `createMultipartUpload`. Example: {'spec':
            {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'contentType':
            'image/tiff', 'sizeBytes': 1073741824}}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MultipartUpload]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        dataset_id=dataset_id,
        asset_source_class=asset_source_class,
        asset_source_provider=asset_source_provider,
        asset_source_id=asset_source_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    dataset_id: str,
    asset_source_class: str,
    asset_source_provider: str,
    asset_source_id: str,
    *,
    client: AuthenticatedClient,
    body: MultipartUploadCreate,
) -> Error | MultipartUpload | None:
    """Start a multipart upload of one file of an ingestion session; the server picks `partCount`.

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_class (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_provider (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_source_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        body (MultipartUploadCreate): Body of `createMultipartUpload`. Example: {'spec':
            {'ingestionId': 'i1a2b3c4d5e6f7a8b9c0d1e2', 'filename': 'big/scan.tiff', 'contentType':
            'image/tiff', 'sizeBytes': 1073741824}}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MultipartUpload
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            dataset_id=dataset_id,
            asset_source_class=asset_source_class,
            asset_source_provider=asset_source_provider,
            asset_source_id=asset_source_id,
            client=client,
            body=body,
        )
    ).parsed
