from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.cabinets_derive_request import CabinetsDeriveRequest
from ...models.envelope import Envelope
from ...models.envelope_cabinets_derive_reply import EnvelopeCabinetsDeriveReply
from ...types import Response


def _get_kwargs(
    *,
    body: CabinetsDeriveRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/signage/common/cabinets/derive",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Envelope | EnvelopeCabinetsDeriveReply | None:
    if response.status_code == 200:
        response_200 = EnvelopeCabinetsDeriveReply.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Envelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Envelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Envelope.from_dict(response.json())

        return response_403

    if response.status_code == 408:
        response_408 = Envelope.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = Envelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Envelope.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Envelope.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Envelope.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Envelope.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Envelope.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Envelope | EnvelopeCabinetsDeriveReply]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CabinetsDeriveRequest,
) -> Response[Envelope | EnvelopeCabinetsDeriveReply]:
    """Sign area, centroids, weight and (with a site) ASCE 7-16 ch. 29 wind actions

     Needs the `viewer` role (or above).

    Args:
        body (CabinetsDeriveRequest): signage.cabinets.derive: geometry, and wind actions when a
            site is given.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeCabinetsDeriveReply]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CabinetsDeriveRequest,
) -> Envelope | EnvelopeCabinetsDeriveReply | None:
    """Sign area, centroids, weight and (with a site) ASCE 7-16 ch. 29 wind actions

     Needs the `viewer` role (or above).

    Args:
        body (CabinetsDeriveRequest): signage.cabinets.derive: geometry, and wind actions when a
            site is given.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeCabinetsDeriveReply
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CabinetsDeriveRequest,
) -> Response[Envelope | EnvelopeCabinetsDeriveReply]:
    """Sign area, centroids, weight and (with a site) ASCE 7-16 ch. 29 wind actions

     Needs the `viewer` role (or above).

    Args:
        body (CabinetsDeriveRequest): signage.cabinets.derive: geometry, and wind actions when a
            site is given.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeCabinetsDeriveReply]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CabinetsDeriveRequest,
) -> Envelope | EnvelopeCabinetsDeriveReply | None:
    """Sign area, centroids, weight and (with a site) ASCE 7-16 ch. 29 wind actions

     Needs the `viewer` role (or above).

    Args:
        body (CabinetsDeriveRequest): signage.cabinets.derive: geometry, and wind actions when a
            site is given.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeCabinetsDeriveReply
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
