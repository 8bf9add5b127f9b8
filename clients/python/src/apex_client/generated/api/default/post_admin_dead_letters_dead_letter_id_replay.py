from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.envelope_replay_result import EnvelopeReplayResult
from ...types import Response


def _get_kwargs(
    dead_letter_id: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/admin/dead-letters/{dead_letter_id}/replay".format(
            dead_letter_id=quote(str(dead_letter_id), safe=""),
        ),
    }

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

    if response.status_code == 404:
        response_404 = Envelope.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Envelope.from_dict(response.json())

        return response_409

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
    dead_letter_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Envelope | EnvelopeReplayResult]:
    """Send one dead letter back to its queue as a first attempt

     Needs the `admin` role (or above).

    Args:
        dead_letter_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeReplayResult]
    """

    kwargs = _get_kwargs(
        dead_letter_id=dead_letter_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dead_letter_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Envelope | EnvelopeReplayResult | None:
    """Send one dead letter back to its queue as a first attempt

     Needs the `admin` role (or above).

    Args:
        dead_letter_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeReplayResult
    """

    return sync_detailed(
        dead_letter_id=dead_letter_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    dead_letter_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Response[Envelope | EnvelopeReplayResult]:
    """Send one dead letter back to its queue as a first attempt

     Needs the `admin` role (or above).

    Args:
        dead_letter_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeReplayResult]
    """

    kwargs = _get_kwargs(
        dead_letter_id=dead_letter_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dead_letter_id: str,
    *,
    client: AuthenticatedClient | Client,
) -> Envelope | EnvelopeReplayResult | None:
    """Send one dead letter back to its queue as a first attempt

     Needs the `admin` role (or above).

    Args:
        dead_letter_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeReplayResult
    """

    return (
        await asyncio_detailed(
            dead_letter_id=dead_letter_id,
            client=client,
        )
    ).parsed
