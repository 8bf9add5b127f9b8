from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.envelope_replay_result import EnvelopeReplayResult
from ...models.replay_all import ReplayAll
from ...types import Response


def _get_kwargs(
    *,
    body: ReplayAll,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/admin/dead-letters/replay",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Envelope | EnvelopeReplayResult | None:
    if response.status_code == 200:
        response_200 = EnvelopeReplayResult.from_dict(response.json())

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

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Envelope | EnvelopeReplayResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ReplayAll,
) -> Response[Envelope | EnvelopeReplayResult]:
    """Send every dead letter of the account (`{}`), or of one queue (`{"queue": …}`), back to its queue

     Needs the `admin` role (or above).

    Args:
        body (ReplayAll): Body of `POST /admin/dead-letters/replay` (optional): only those bound
            for `queue`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeReplayResult]
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
    body: ReplayAll,
) -> Envelope | EnvelopeReplayResult | None:
    """Send every dead letter of the account (`{}`), or of one queue (`{"queue": …}`), back to its queue

     Needs the `admin` role (or above).

    Args:
        body (ReplayAll): Body of `POST /admin/dead-letters/replay` (optional): only those bound
            for `queue`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeReplayResult
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ReplayAll,
) -> Response[Envelope | EnvelopeReplayResult]:
    """Send every dead letter of the account (`{}`), or of one queue (`{"queue": …}`), back to its queue

     Needs the `admin` role (or above).

    Args:
        body (ReplayAll): Body of `POST /admin/dead-letters/replay` (optional): only those bound
            for `queue`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeReplayResult]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ReplayAll,
) -> Envelope | EnvelopeReplayResult | None:
    """Send every dead letter of the account (`{}`), or of one queue (`{"queue": …}`), back to its queue

     Needs the `admin` role (or above).

    Args:
        body (ReplayAll): Body of `POST /admin/dead-letters/replay` (optional): only those bound
            for `queue`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeReplayResult
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
