"""The data model. Import models from here."""

from courier.models.base import Base, UTCDateTime, utcnow
from courier.models.coop import CoopSetting
from courier.models.events import Event
from courier.models.jobs import OPEN_JOB_STATUSES, Job, JobStatus, Run, RunStatus, RunStop, StopKind
from courier.models.proofs import Proof, ProofKind, ProofPolicy, ProofRule, Redaction
from courier.models.shops import (
    DeliveryStatus,
    GeocodeResult,
    PricingVersion,
    SlotSchedule,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    Zone,
)
from courier.models.users import (
    CAPACITY,
    ApiToken,
    Courier,
    Merchant,
    MerchantKind,
    Role,
    User,
    Vehicle,
)

__all__ = [
    "CAPACITY", "OPEN_JOB_STATUSES", "ApiToken", "Base", "Courier", "Event", "Job", "JobStatus",
    "Merchant", "Role", "Run", "RunStatus", "RunStop", "StopKind", "UTCDateTime", "User",
    "Vehicle", "utcnow",
]
__all__ += ["CoopSetting", "MerchantKind"]
__all__ += ["DeliveryStatus", "GeocodeResult", "PricingVersion", "SlotSchedule",
            "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint", "Zone"]
from courier.models.push import PushMessage, PushStatus, PushSubscription  # noqa: E402

__all__ += ["PushMessage", "PushStatus", "PushSubscription"]
__all__ += ["Proof", "ProofKind", "ProofPolicy", "ProofRule", "Redaction"]
from courier.models.messages import (  # noqa: E402
    MessageKind,
    MessageOptOut,
    MessagePolicy,
    MessageStatus,
    RecipientMessage,
)
from courier.models.schedules import JobSchedule  # noqa: E402

__all__ += ["JobSchedule", "MessageKind", "MessageOptOut", "MessagePolicy", "MessageStatus",
            "RecipientMessage"]
from courier.models.federation import (  # noqa: E402
    OPEN_HANDOFF_STATUSES,
    FederationMessage,
    Handoff,
    HandoffStatus,
    MessageState,
    Partner,
    PartnerInvitation,
    PartnerStatus,
)

__all__ += ["OPEN_HANDOFF_STATUSES", "FederationMessage", "Handoff", "HandoffStatus",
            "MessageState", "Partner", "PartnerInvitation", "PartnerStatus"]
from courier.models.ledger import LedgerEntry, Relay, RelayStatus  # noqa: E402

__all__ += ["LedgerEntry", "Relay", "RelayStatus"]
