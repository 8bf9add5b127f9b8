"""Contains all the data models used in inputs/outputs"""

from .accepted import Accepted
from .audit_entry_view import AuditEntryView
from .audit_entry_view_kind import AuditEntryViewKind
from .audit_entry_view_payload import AuditEntryViewPayload
from .audit_entry_view_subject import AuditEntryViewSubject
from .audit_page import AuditPage
from .audit_record import AuditRecord
from .audit_record_entry import AuditRecordEntry
from .audit_verification import AuditVerification
from .broken_at import BrokenAt
from .broken_at_reason import BrokenAtReason
from .broker_status import BrokerStatus
from .cabinet import Cabinet
from .cabinets_derive_reply import CabinetsDeriveReply
from .cabinets_derive_reply_moment_case_type_0 import CabinetsDeriveReplyMomentCaseType0
from .cabinets_derive_reply_torsion_case_type_0 import (
    CabinetsDeriveReplyTorsionCaseType0,
)
from .cabinets_derive_request import CabinetsDeriveRequest
from .checkpoint_page import CheckpointPage
from .checkpoint_view import CheckpointView
from .child_task import ChildTask
from .concrete_yards_reply import ConcreteYardsReply
from .concrete_yards_request import ConcreteYardsRequest
from .dead_letter import DeadLetter
from .dead_letter_body_encoding import DeadLetterBodyEncoding
from .dead_letter_headers import DeadLetterHeaders
from .dead_letter_page import DeadLetterPage
from .delivery_accepted import DeliveryAccepted
from .document_page import DocumentPage
from .document_view import DocumentView
from .envelope import Envelope
from .envelope_accepted import EnvelopeAccepted
from .envelope_accepted_trace import EnvelopeAcceptedTrace
from .envelope_audit_page import EnvelopeAuditPage
from .envelope_audit_page_trace import EnvelopeAuditPageTrace
from .envelope_audit_record import EnvelopeAuditRecord
from .envelope_audit_record_trace import EnvelopeAuditRecordTrace
from .envelope_audit_verification import EnvelopeAuditVerification
from .envelope_audit_verification_trace import EnvelopeAuditVerificationTrace
from .envelope_cabinets_derive_reply import EnvelopeCabinetsDeriveReply
from .envelope_cabinets_derive_reply_trace import EnvelopeCabinetsDeriveReplyTrace
from .envelope_checkpoint_page import EnvelopeCheckpointPage
from .envelope_checkpoint_page_trace import EnvelopeCheckpointPageTrace
from .envelope_concrete_yards_reply import EnvelopeConcreteYardsReply
from .envelope_concrete_yards_reply_trace import EnvelopeConcreteYardsReplyTrace
from .envelope_dead_letter_page import EnvelopeDeadLetterPage
from .envelope_dead_letter_page_trace import EnvelopeDeadLetterPageTrace
from .envelope_delivery_accepted import EnvelopeDeliveryAccepted
from .envelope_delivery_accepted_trace import EnvelopeDeliveryAcceptedTrace
from .envelope_document_page import EnvelopeDocumentPage
from .envelope_document_page_trace import EnvelopeDocumentPageTrace
from .envelope_footing_solve_reply import EnvelopeFootingSolveReply
from .envelope_footing_solve_reply_trace import EnvelopeFootingSolveReplyTrace
from .envelope_payload_view import EnvelopePayloadView
from .envelope_payload_view_trace import EnvelopePayloadViewTrace
from .envelope_poles_options_reply import EnvelopePolesOptionsReply
from .envelope_poles_options_reply_trace import EnvelopePolesOptionsReplyTrace
from .envelope_project_page import EnvelopeProjectPage
from .envelope_project_page_trace import EnvelopeProjectPageTrace
from .envelope_project_view import EnvelopeProjectView
from .envelope_project_view_trace import EnvelopeProjectViewTrace
from .envelope_replay_result import EnvelopeReplayResult
from .envelope_replay_result_trace import EnvelopeReplayResultTrace
from .envelope_single_pole_design_reply import EnvelopeSinglePoleDesignReply
from .envelope_single_pole_design_reply_trace import EnvelopeSinglePoleDesignReplyTrace
from .envelope_system_status import EnvelopeSystemStatus
from .envelope_system_status_trace import EnvelopeSystemStatusTrace
from .envelope_task_history import EnvelopeTaskHistory
from .envelope_task_history_trace import EnvelopeTaskHistoryTrace
from .envelope_task_page import EnvelopeTaskPage
from .envelope_task_page_trace import EnvelopeTaskPageTrace
from .envelope_task_view import EnvelopeTaskView
from .envelope_task_view_trace import EnvelopeTaskViewTrace
from .envelope_trace import EnvelopeTrace
from .envelope_webhook_created import EnvelopeWebhookCreated
from .envelope_webhook_created_trace import EnvelopeWebhookCreatedTrace
from .envelope_webhook_delivery_page import EnvelopeWebhookDeliveryPage
from .envelope_webhook_delivery_page_trace import EnvelopeWebhookDeliveryPageTrace
from .envelope_webhook_page import EnvelopeWebhookPage
from .envelope_webhook_page_trace import EnvelopeWebhookPageTrace
from .error_code import ErrorCode
from .field_error import FieldError
from .footing_geometry import FootingGeometry
from .footing_iteration import FootingIteration
from .footing_result import FootingResult
from .footing_result_method import FootingResultMethod
from .footing_solve_reply import FootingSolveReply
from .footing_solve_reply_method import FootingSolveReplyMethod
from .footing_solve_request import FootingSolveRequest
from .get_projects_status_type_0 import GetProjectsStatusType0
from .get_tasks_state_item import GetTasksStateItem
from .get_tasks_task_id_events_response_200 import GetTasksTaskIdEventsResponse200
from .get_webhooks_webhook_id_deliveries_status_type_0 import (
    GetWebhooksWebhookIdDeliveriesStatusType0,
)
from .heartbeat import Heartbeat
from .heartbeat_checks import HeartbeatChecks
from .history_entry import HistoryEntry
from .loads import Loads
from .payload_draft import PayloadDraft
from .payload_draft_config import PayloadDraftConfig
from .payload_view import PayloadView
from .payload_view_config import PayloadViewConfig
from .pole_option import PoleOption
from .pole_option_compactness import PoleOptionCompactness
from .pole_option_family import PoleOptionFamily
from .pole_prefs import PolePrefs
from .pole_prefs_family_item import PolePrefsFamilyItem
from .pole_prefs_sort_by import PolePrefsSortBy
from .pole_prefs_steel_grade_type_0 import PolePrefsSteelGradeType0
from .poles_options_reply import PolesOptionsReply
from .poles_options_request import PolesOptionsRequest
from .poles_options_request_material import PolesOptionsRequestMaterial
from .project_draft import ProjectDraft
from .project_page import ProjectPage
from .project_site import ProjectSite
from .project_site_draft import ProjectSiteDraft
from .project_site_draft_exposure_type_0 import ProjectSiteDraftExposureType0
from .project_site_exposure_type_0 import ProjectSiteExposureType0
from .project_view import ProjectView
from .project_view_status import ProjectViewStatus
from .queue_status import QueueStatus
from .replay_all import ReplayAll
from .replay_result import ReplayResult
from .replayed import Replayed
from .service_status import ServiceStatus
from .sign_loads import SignLoads
from .sign_loads_moment_case_type_0 import SignLoadsMomentCaseType0
from .sign_loads_torsion_case_type_0 import SignLoadsTorsionCaseType0
from .sign_spec import SignSpec
from .single_pole_design_reply import SinglePoleDesignReply
from .single_pole_design_request import SinglePoleDesignRequest
from .single_pole_design_request_material import SinglePoleDesignRequestMaterial
from .site import Site
from .site_exposure import SiteExposure
from .soil import Soil
from .system_status import SystemStatus
from .task_error import TaskError
from .task_history import TaskHistory
from .task_page import TaskPage
from .task_state import TaskState
from .task_summary import TaskSummary
from .task_view import TaskView
from .trace import Trace
from .trace_inputs import TraceInputs
from .trace_intermediates import TraceIntermediates
from .trace_outputs import TraceOutputs
from .webhook_created import WebhookCreated
from .webhook_delivery_page import WebhookDeliveryPage
from .webhook_delivery_view import WebhookDeliveryView
from .webhook_delivery_view_status import WebhookDeliveryViewStatus
from .webhook_draft import WebhookDraft
from .webhook_draft_events_item import WebhookDraftEventsItem
from .webhook_page import WebhookPage
from .webhook_view import WebhookView

__all__ = (
    "Accepted",
    "AuditEntryView",
    "AuditEntryViewKind",
    "AuditEntryViewPayload",
    "AuditEntryViewSubject",
    "AuditPage",
    "AuditRecord",
    "AuditRecordEntry",
    "AuditVerification",
    "BrokenAt",
    "BrokenAtReason",
    "BrokerStatus",
    "Cabinet",
    "CabinetsDeriveReply",
    "CabinetsDeriveReplyMomentCaseType0",
    "CabinetsDeriveReplyTorsionCaseType0",
    "CabinetsDeriveRequest",
    "CheckpointPage",
    "CheckpointView",
    "ChildTask",
    "ConcreteYardsReply",
    "ConcreteYardsRequest",
    "DeadLetter",
    "DeadLetterBodyEncoding",
    "DeadLetterHeaders",
    "DeadLetterPage",
    "DeliveryAccepted",
    "DocumentPage",
    "DocumentView",
    "Envelope",
    "EnvelopeAccepted",
    "EnvelopeAcceptedTrace",
    "EnvelopeAuditPage",
    "EnvelopeAuditPageTrace",
    "EnvelopeAuditRecord",
    "EnvelopeAuditRecordTrace",
    "EnvelopeAuditVerification",
    "EnvelopeAuditVerificationTrace",
    "EnvelopeCabinetsDeriveReply",
    "EnvelopeCabinetsDeriveReplyTrace",
    "EnvelopeCheckpointPage",
    "EnvelopeCheckpointPageTrace",
    "EnvelopeConcreteYardsReply",
    "EnvelopeConcreteYardsReplyTrace",
    "EnvelopeDeadLetterPage",
    "EnvelopeDeadLetterPageTrace",
    "EnvelopeDeliveryAccepted",
    "EnvelopeDeliveryAcceptedTrace",
    "EnvelopeDocumentPage",
    "EnvelopeDocumentPageTrace",
    "EnvelopeFootingSolveReply",
    "EnvelopeFootingSolveReplyTrace",
    "EnvelopePayloadView",
    "EnvelopePayloadViewTrace",
    "EnvelopePolesOptionsReply",
    "EnvelopePolesOptionsReplyTrace",
    "EnvelopeProjectPage",
    "EnvelopeProjectPageTrace",
    "EnvelopeProjectView",
    "EnvelopeProjectViewTrace",
    "EnvelopeReplayResult",
    "EnvelopeReplayResultTrace",
    "EnvelopeSinglePoleDesignReply",
    "EnvelopeSinglePoleDesignReplyTrace",
    "EnvelopeSystemStatus",
    "EnvelopeSystemStatusTrace",
    "EnvelopeTaskHistory",
    "EnvelopeTaskHistoryTrace",
    "EnvelopeTaskPage",
    "EnvelopeTaskPageTrace",
    "EnvelopeTaskView",
    "EnvelopeTaskViewTrace",
    "EnvelopeTrace",
    "EnvelopeWebhookCreated",
    "EnvelopeWebhookCreatedTrace",
    "EnvelopeWebhookDeliveryPage",
    "EnvelopeWebhookDeliveryPageTrace",
    "EnvelopeWebhookPage",
    "EnvelopeWebhookPageTrace",
    "ErrorCode",
    "FieldError",
    "FootingGeometry",
    "FootingIteration",
    "FootingResult",
    "FootingResultMethod",
    "FootingSolveReply",
    "FootingSolveReplyMethod",
    "FootingSolveRequest",
    "GetProjectsStatusType0",
    "GetTasksStateItem",
    "GetTasksTaskIdEventsResponse200",
    "GetWebhooksWebhookIdDeliveriesStatusType0",
    "Heartbeat",
    "HeartbeatChecks",
    "HistoryEntry",
    "Loads",
    "PayloadDraft",
    "PayloadDraftConfig",
    "PayloadView",
    "PayloadViewConfig",
    "PoleOption",
    "PoleOptionCompactness",
    "PoleOptionFamily",
    "PolePrefs",
    "PolePrefsFamilyItem",
    "PolePrefsSortBy",
    "PolePrefsSteelGradeType0",
    "PolesOptionsReply",
    "PolesOptionsRequest",
    "PolesOptionsRequestMaterial",
    "ProjectDraft",
    "ProjectPage",
    "ProjectSite",
    "ProjectSiteDraft",
    "ProjectSiteDraftExposureType0",
    "ProjectSiteExposureType0",
    "ProjectView",
    "ProjectViewStatus",
    "QueueStatus",
    "ReplayAll",
    "ReplayResult",
    "Replayed",
    "ServiceStatus",
    "SignLoads",
    "SignLoadsMomentCaseType0",
    "SignLoadsTorsionCaseType0",
    "SignSpec",
    "SinglePoleDesignReply",
    "SinglePoleDesignRequest",
    "SinglePoleDesignRequestMaterial",
    "Site",
    "SiteExposure",
    "Soil",
    "SystemStatus",
    "TaskError",
    "TaskHistory",
    "TaskPage",
    "TaskState",
    "TaskSummary",
    "TaskView",
    "Trace",
    "TraceInputs",
    "TraceIntermediates",
    "TraceOutputs",
    "WebhookCreated",
    "WebhookDeliveryPage",
    "WebhookDeliveryView",
    "WebhookDeliveryViewStatus",
    "WebhookDraft",
    "WebhookDraftEventsItem",
    "WebhookPage",
    "WebhookView",
)
