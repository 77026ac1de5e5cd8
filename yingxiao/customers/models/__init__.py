"""Customer models, one module per sub-domain (archive, pool, relations …)."""

from .archive import Contact, Customer, CustomerIdentity, DuplicateAttempt, OwnershipChange

__all__ = ["Contact", "Customer", "CustomerIdentity", "DuplicateAttempt", "OwnershipChange"]

from .pool import Allocation, AllocationLine, BlacklistRecord, PoolEntry

__all__ += ["Allocation", "AllocationLine", "BlacklistRecord", "PoolEntry"]

from .relations import (  # noqa: E402
    AdmissionCheck,
    AdmissionCriterion,
    GradeReview,
    Invitation,
    InvitationResolution,
    Referral,
    ReferralReward,
    RewardKind,
    TrackingReview,
    TrackingSheet,
    TrackingStep,
)

__all__ += [
    "AdmissionCheck",
    "AdmissionCriterion",
    "GradeReview",
    "Invitation",
    "InvitationResolution",
    "Referral",
    "ReferralReward",
    "RewardKind",
    "TrackingReview",
    "TrackingSheet",
    "TrackingStep",
]
