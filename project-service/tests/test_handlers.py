"""The use cases over the in-memory store: what each command checks, writes and emits."""

from uuid import UUID, uuid4

import pytest

from apex_contracts import projects as c
from apex_contracts import topology as t
from apex_projects import handlers
from apex_projects.domain import child_task_id
from apex_runtime.errors import Conflict, Invalid, NotFound, VersionConflict
from apex_runtime.tasks import AwaitChildren, MessageContext
from apex_runtime.unit_of_work import Incoming

from .conftest import InMemoryProjectStore, RecordedEvents, RecordedTasks


def ctx(
    account: str = "demo", actor: str = "dev", task_id: str | None = "task-1"
) -> MessageContext:
    return MessageContext(
        message_id=f"m-{task_id}", task_id=task_id, account=account, actor=actor, attempt=1
    )


def create(project_id: UUID | None = None, account: str = "demo", **fields: object) -> Incoming:
    body = c.CreateProject(
        project_id=project_id or uuid4(), name="Main St pylon", customer="Acme", **fields
    )
    return Incoming(t.PROJECT_CREATE, body, ctx(account=account), inbox=False)


def command(routing_key: str, body: object, account: str = "demo") -> Incoming:
    return Incoming(routing_key, body, ctx(account=account, task_id=f"task-{uuid4()}"))


async def created(store: InMemoryProjectStore, events: RecordedEvents, **fields: object) -> UUID:
    item = create(**fields)
    [view] = await handlers.apply_batch([item], store, events, RecordedTasks())
    assert isinstance(view, c.ProjectView)
    return view.project_id


async def test_creates_in_one_run_store_each_once_and_emit_each_created(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    again = uuid4()
    batch = [create(), create(again), create(again), create(again, account="other")]
    outcomes = await handlers.apply_batch(batch, store, events, RecordedTasks())
    assert [type(o).__name__ for o in outcomes] == [
        "ProjectView",
        "ProjectView",
        "ProjectView",
        "Conflict",
    ]
    assert outcomes[1] == outcomes[2]  # the same create again answers the same project
    assert events.keys() == [t.PROJECT_CREATED, t.PROJECT_CREATED]
    assert len(store.projects) == 2


async def test_a_create_sent_again_later_answers_the_project_as_it_stands(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events)
    update = c.UpdateProject(project_id=project_id, name="Renamed", customer="Acme")
    await handlers.apply_batch([command(t.PROJECT_UPDATE, update)], store, events, RecordedTasks())
    [again] = await handlers.apply_batch([create(project_id)], store, events, RecordedTasks())
    assert isinstance(again, c.ProjectView) and (again.name, again.version) == ("Renamed", 2)
    assert events.keys() == [t.PROJECT_CREATED, t.PROJECT_UPDATED]


async def test_update_writes_the_fields_and_emits_the_new_view(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events)
    cmd = c.UpdateProject(
        project_id=project_id, name="B", customer="C", pm_email="pm@example.com", expected_version=1
    )
    view = await handlers.update_project(cmd, ctx(actor="eng"), store, events)
    assert store.projects[project_id].name == "B" and view.version == 2
    routing_key, event, aggregate, _ = events.events[-1]
    assert (routing_key, aggregate) == (t.PROJECT_UPDATED, str(project_id))
    assert isinstance(event, c.ProjectUpdated) and event.project == view and event.actor == "eng"


async def test_a_refused_command_in_a_batch_undoes_itself_only(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events)
    stale = c.UpdateProject(project_id=project_id, name="X", customer="Y", expected_version=7)
    fresh = c.UpdateProject(project_id=project_id, name="Z", customer="Y", expected_version=1)
    missing = c.DeleteProject(project_id=uuid4())
    batch = [
        command(t.PROJECT_UPDATE, stale),
        command(t.PROJECT_UPDATE, fresh),
        command(t.PROJECT_DELETE, missing),
    ]
    outcomes = await handlers.apply_batch(batch, store, events, RecordedTasks())
    assert isinstance(outcomes[0], VersionConflict) and isinstance(outcomes[2], NotFound)
    assert isinstance(outcomes[1], c.ProjectView) and outcomes[1].name == "Z"
    assert store.projects[project_id].version == 2
    assert events.keys() == [t.PROJECT_CREATED, t.PROJECT_UPDATED]


async def test_another_accounts_project_does_not_exist_for_any_command(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events)
    for routing_key, body in (
        (t.PROJECT_UPDATE, c.UpdateProject(project_id=project_id, name="X", customer="Y")),
        (t.PROJECT_DELETE, c.DeleteProject(project_id=project_id)),
        (t.PROJECT_SUBMIT, c.SubmitProject(project_id=project_id)),
    ):
        item = command(routing_key, body, account="intruder")
        [refused] = await handlers.apply_batch([item], store, events, RecordedTasks())
        assert isinstance(refused, NotFound), routing_key
    assert store.projects[project_id].version == 1 and events.keys() == [t.PROJECT_CREATED]


async def test_a_deleted_project_is_gone_for_reads_and_writes(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events)
    deleted = await handlers.delete_project(
        c.DeleteProject(project_id=project_id, expected_version=1), ctx(), store, events
    )
    assert deleted.status == "deleted" and events.keys()[-1] == t.PROJECT_DELETED
    with pytest.raises(NotFound):
        await handlers.get_project(c.GetProject(project_id=project_id), ctx(), store.reads())
    with pytest.raises(NotFound):
        await handlers.delete_project(c.DeleteProject(project_id=project_id), ctx(), store, events)


async def test_submission_freezes_the_latest_payload_and_creates_its_children_first(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events, pm_email="pm@example.com")
    for n in (1, 2):
        saved = c.SaveProjectPayload(project_id=project_id, module="signage.x", config={"n": n})
        await handlers.save_payload(saved, ctx(), store, events)
    tasks = RecordedTasks()
    answer = await handlers.submit_project(
        c.SubmitProject(project_id=project_id), ctx(task_id="t-9"), store, events, tasks
    )
    assert isinstance(answer, AwaitChildren) and isinstance(answer.result, c.SubmissionView)
    assert (answer.result.submission_number, answer.result.payload_version) == (1, 2)
    assert tasks.created == [
        (child_task_id("t-9", "render_document"), "render_document", "t-9"),
        (child_task_id("t-9", "email_pm"), "email_pm", "t-9"),
    ]
    routing_key, event, _, _ = events.events[-1]
    assert routing_key == t.PROJECT_SUBMITTED and isinstance(event, c.ProjectSubmitted)
    assert event.payload.config == {"n": 2} and event.project.status == "submitted"
    assert store.projects[project_id].status == "submitted"
    payload = await handlers.get_payload(c.GetPayload(project_id=project_id), ctx(), store.reads())
    assert payload.payload_version == 2


async def test_a_submission_that_cannot_go_yet_says_why_and_writes_nothing(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events)
    tasks = RecordedTasks()
    [refused] = await handlers.apply_batch(
        [command(t.PROJECT_SUBMIT, c.SubmitProject(project_id=project_id))], store, events, tasks
    )
    assert isinstance(refused, Invalid) and "no pm_email" in refused.message
    assert tasks.created == [] and store.submissions == {} and len(events.events) == 1


async def test_a_second_submission_is_a_conflict(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events, pm_email="pm@example.com")
    saved = c.SaveProjectPayload(project_id=project_id, module="signage.x", config={})
    await handlers.save_payload(saved, ctx(), store, events)
    submit = command(t.PROJECT_SUBMIT, c.SubmitProject(project_id=project_id))
    first, second = await handlers.apply_batch([submit, submit], store, events, RecordedTasks())
    assert isinstance(first, AwaitChildren) and isinstance(second, Conflict)
    assert len(store.submissions[project_id]) == 1


async def test_a_payload_read_needs_a_saved_payload(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    project_id = await created(store, events)
    with pytest.raises(NotFound, match="no design payload yet"):
        await handlers.get_payload(c.GetPayload(project_id=project_id), ctx(), store.reads())


async def test_the_list_pages_newest_first_and_its_cursor_continues_it(
    store: InMemoryProjectStore, events: RecordedEvents
) -> None:
    ids = [await created(store, events) for _ in range(5)]
    await created(store, events, account="other")
    seen: list[UUID] = []
    cursor = None
    while True:
        page = await handlers.list_projects(
            c.ListProjects(limit=2, cursor=cursor), ctx(), store.reads()
        )
        seen += [p.project_id for p in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    expected = sorted(ids, key=lambda i: (store.projects[i].created_at, i), reverse=True)
    assert seen == expected
