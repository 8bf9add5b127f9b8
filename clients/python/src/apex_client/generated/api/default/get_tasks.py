import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.envelope import Envelope
from ...models.envelope_task_page import EnvelopeTaskPage
from ...models.get_tasks_state_item import GetTasksStateItem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    state: list[GetTasksStateItem] | Unset = UNSET,
    kind: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_state: list[str] | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = []
        for state_item_data in state:
            state_item = state_item_data.value
            json_state.append(state_item)

    params["state"] = json_state

    params["kind"] = kind

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/tasks",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Envelope | EnvelopeTaskPage | None:
    if response.status_code == 200:
        response_200 = EnvelopeTaskPage.from_dict(response.json())

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
) -> Response[Envelope | EnvelopeTaskPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: list[GetTasksStateItem] | Unset = UNSET,
    kind: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[Envelope | EnvelopeTaskPage]:
    """Search the account's tasks, newest first (a page may be short: follow next_cursor until it is null)

     Needs the `viewer` role (or above).

    Args:
        state (list[GetTasksStateItem] | Unset):
        kind (str | Unset):
        since (datetime.datetime | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeTaskPage]
    """

    kwargs = _get_kwargs(
        state=state,
        kind=kind,
        since=since,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    state: list[GetTasksStateItem] | Unset = UNSET,
    kind: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Envelope | EnvelopeTaskPage | None:
    """Search the account's tasks, newest first (a page may be short: follow next_cursor until it is null)

     Needs the `viewer` role (or above).

    Args:
        state (list[GetTasksStateItem] | Unset):
        kind (str | Unset):
        since (datetime.datetime | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeTaskPage
    """

    return sync_detailed(
        client=client,
        state=state,
        kind=kind,
        since=since,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    state: list[GetTasksStateItem] | Unset = UNSET,
    kind: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[Envelope | EnvelopeTaskPage]:
    """Search the account's tasks, newest first (a page may be short: follow next_cursor until it is null)

     Needs the `viewer` role (or above).

    Args:
        state (list[GetTasksStateItem] | Unset):
        kind (str | Unset):
        since (datetime.datetime | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Envelope | EnvelopeTaskPage]
    """

    kwargs = _get_kwargs(
        state=state,
        kind=kind,
        since=since,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    state: list[GetTasksStateItem] | Unset = UNSET,
    kind: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Envelope | EnvelopeTaskPage | None:
    """Search the account's tasks, newest first (a page may be short: follow next_cursor until it is null)

     Needs the `viewer` role (or above).

    Args:
        state (list[GetTasksStateItem] | Unset):
        kind (str | Unset):
        since (datetime.datetime | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Envelope | EnvelopeTaskPage
    """

    return (
        await asyncio_detailed(
            client=client,
            state=state,
            kind=kind,
            since=since,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
