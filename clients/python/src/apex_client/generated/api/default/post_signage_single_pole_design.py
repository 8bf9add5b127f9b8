from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.envelope_single_pole_design_reply import EnvelopeSinglePoleDesignReply
from ...models.single_pole_design_request import SinglePoleDesignRequest
from ...types import Response


def _get_kwargs(
    *,
    body: SinglePoleDesignRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/signage/single_pole/design",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Envelope | EnvelopeSinglePoleDesignReply | None:
    if response.status_code == 200:
        response_200 = EnvelopeSinglePoleDesignReply.from_dict(response.json())

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
) -> Response[Envelope | EnvelopeSinglePoleDesignReply]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SinglePoleDesignRequest,
) -> Response[Envelope | EnvelopeSinglePoleDesignReply]:
    """Sign → wind loads → recommended pole → footing, in one answer

     Needs the `viewer` role (or above).

    Args:
        body (SinglePoleDesignRequest): signage.single_pole.design: sign, pole preferences, soil
            and footing diameter.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeSinglePoleDesignReply]
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
    body: SinglePoleDesignRequest,
) -> Envelope | EnvelopeSinglePoleDesignReply | None:
    """Sign → wind loads → recommended pole → footing, in one answer

     Needs the `viewer` role (or above).

    Args:
        body (SinglePoleDesignRequest): signage.single_pole.design: sign, pole preferences, soil
            and footing diameter.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeSinglePoleDesignReply
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SinglePoleDesignRequest,
) -> Response[Envelope | EnvelopeSinglePoleDesignReply]:
    """Sign → wind loads → recommended pole → footing, in one answer

     Needs the `viewer` role (or above).

    Args:
        body (SinglePoleDesignRequest): signage.single_pole.design: sign, pole preferences, soil
            and footing diameter.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeSinglePoleDesignReply]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: SinglePoleDesignRequest,
) -> Envelope | EnvelopeSinglePoleDesignReply | None:
    """Sign → wind loads → recommended pole → footing, in one answer

     Needs the `viewer` role (or above).

    Args:
        body (SinglePoleDesignRequest): signage.single_pole.design: sign, pole preferences, soil
            and footing diameter.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeSinglePoleDesignReply
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
