from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    organization_id: str,
    dataset_id: str,
    asset_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/workspaces/{organization_id}/datasets/{dataset_id}/assets/{asset_id}".format(
            organization_id=quote(str(organization_id), safe=""),
            dataset_id=quote(str(dataset_id), safe=""),
            asset_id=quote(str(asset_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Error | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

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
) -> Response[Any | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    organization_id: str,
    dataset_id: str,
    asset_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Error]:
    """Delete one asset (2xx with an empty body).

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        dataset_id=dataset_id,
        asset_id=asset_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    organization_id: str,
    dataset_id: str,
    asset_id: str,
    *,
    client: AuthenticatedClient,
) -> Any | Error | None:
    """Delete one asset (2xx with an empty body).

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return sync_detailed(
        organization_id=organization_id,
        dataset_id=dataset_id,
        asset_id=asset_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    organization_id: str,
    dataset_id: str,
    asset_id: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Error]:
    """Delete one asset (2xx with an empty body).

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Error]
    """

    kwargs = _get_kwargs(
        organization_id=organization_id,
        dataset_id=dataset_id,
        asset_id=asset_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    organization_id: str,
    dataset_id: str,
    asset_id: str,
    *,
    client: AuthenticatedClient,
) -> Any | Error | None:
    """Delete one asset (2xx with an empty body).

    Args:
        organization_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        dataset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.
        asset_id (str): An id as it appears in a path. Example:
            9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f_dataset-abc123.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Error
    """

    return (
        await asyncio_detailed(
            organization_id=organization_id,
            dataset_id=dataset_id,
            asset_id=asset_id,
            client=client,
        )
    ).parsed
