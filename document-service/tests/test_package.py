"""What the package says and how the render reacts to its task, without rendering a PDF."""

from collections.abc import Callable
from typing import Any

import pytest

from apex_contracts.projects import ProjectSubmitted
from apex_contracts.queries import QueryReply
from apex_contracts.signage import SinglePoleDesignReply
from apex_contracts.tasks import ErrorCode, TaskState
from apex_documents.engineering import SignageDesign, interpret
from apex_documents.handlers import Cancelled, Checkpoints, safe_filename
from apex_documents.package import TextTable, build_package, design_request
from apex_runtime.amqp_client import QueryTimeout

Submit = Callable[..., ProjectSubmitted]


def test_pole_table_lists_candidates_in_ranking_order_with_the_recommended_marked(
    make_submission: Submit, design_body: dict[str, Any], design_reply: SinglePoleDesignReply
) -> None:
    event = make_submission(design_body)
    request, _ = design_request(event.payload.module, event.payload.config)
    package = build_package(event, request, design_reply, None, None)

    assert package.engineering is not None
    poles = package.engineering.poles
    assert poles[0].designation == "Pipe8STD" and poles[0].recommended
    assert poles[0].utilization == "0.763" and poles[0].ok == "OK"
    assert sum(p.recommended for p in poles) == 1 and len(poles) <= 10
    table = package.engineering.pole_table
    assert table.rows[0] == (table.rows[0][0], True) and "Pipe8STD ★" in table.rows[0][0]
    assert package.trace_id == "\u2013"  # no trace: a dash, not "None"


def test_text_table_pads_columns_and_right_aligns_numbers() -> None:
    table = TextTable.of(["Section", "Util"], [["Pipe8STD", "0.763"], ["P", "1.2"]], [True, False])
    assert table.header == "Section    Util"
    assert table.rows == [("Pipe8STD  0.763", True), ("P           1.2", False)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Main St pylon", "calculation-package-main-st-pylon-s2.pdf"),
        ('a"; filename="evil.exe\r\nX: y', "calculation-package-a-filename-evil-exe-x-y-s2.pdf"),
        ("Café ÉTÉ", "calculation-package-cafe-ete-s2.pdf"),
        ("<<>>", "calculation-package-project-s2.pdf"),
    ],
)
def test_filenames_are_safe_in_a_content_disposition(name: str, expected: str) -> None:
    assert safe_filename(name, 2) == expected


def test_a_module_other_than_single_pole_is_not_sent_to_signage() -> None:
    request, why = design_request("signage.double_pole", {"sign": {}})
    assert request is None and "signage.double_pole" in why


class FakeStatus:
    def __init__(self, state: TaskState) -> None:
        self.state = state
        self.reported: list[float] = []

    async def get(self, task_id: str) -> Any:
        return type("Task", (), {"state": self.state})()

    async def progress(self, task_id: str, percent: float) -> bool:
        self.reported.append(percent)
        return True


async def test_checkpoints_report_progress_while_the_task_runs() -> None:
    status = FakeStatus(TaskState.STARTED)
    await Checkpoints(status, "t1").reached(25)
    assert status.reported == [25]


async def test_a_revoked_task_stops_the_rendering_as_a_domain_error() -> None:
    status = FakeStatus(TaskState.REVOKED)
    with pytest.raises(Cancelled) as raised:
        await Checkpoints(status, "t1").reached(70)
    assert raised.value.code is ErrorCode.CONFLICT and status.reported == []


async def test_no_task_means_no_reports() -> None:
    status = FakeStatus(TaskState.REVOKED)
    await Checkpoints(status, None).reached(5)
    assert status.reported == []


class SlowSignage:
    async def query(self, routing_key: str, body: bytes, **_: Any) -> QueryReply:
        raise QueryTimeout(f"{routing_key} did not answer")


async def test_a_signage_timeout_becomes_a_notice_not_an_error() -> None:
    design = SignageDesign(SlowSignage(), timeout_s=0.01)
    answer = await design.design({"sign": {}}, "demo", "dev")
    assert answer.reply is None and answer.notice == "signage-service did not answer in 0.01 s"


def test_a_refusal_or_a_strange_answer_is_explained(design_reply: SinglePoleDesignReply) -> None:
    refused = interpret(QueryReply.failure(ErrorCode.INVALID, "sign.cabinets: too many"))
    assert refused.reply is None
    assert refused.notice == "signage-service refused the design (invalid: sign.cabinets: too many)"
    assert interpret(QueryReply.success({"no": "design"})).reply is None
    assert interpret(QueryReply.success(design_reply.model_dump(mode="json"))).reply is not None
