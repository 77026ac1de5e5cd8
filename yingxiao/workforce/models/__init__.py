"""Workforce models: attendance, outings, trips and leave (HR-1…HR-5), the duty roster (HR-10),
meetings (HR-6) and work reports (HR-7, HR-8)."""

from .attendance import (
    PEOPLE_ALL_ROLES,
    AttendanceCorrection,
    AttendanceRecord,
    Leave,
    LeaveEntitlement,
    Outing,
    PeopleManager,
    PeopleQuerySet,
    Tier,
    Trip,
    TripCheckin,
)
from .meetings import Meeting, MeetingAttendance
from .reports import WorkReport
from .roster import DutyAssignment, DutyPost, DutySwap, UnattendedPost

__all__ = [
    "PEOPLE_ALL_ROLES",
    "AttendanceCorrection",
    "AttendanceRecord",
    "DutyAssignment",
    "DutyPost",
    "DutySwap",
    "Leave",
    "LeaveEntitlement",
    "Meeting",
    "MeetingAttendance",
    "Outing",
    "PeopleManager",
    "PeopleQuerySet",
    "Tier",
    "Trip",
    "TripCheckin",
    "UnattendedPost",
    "WorkReport",
]
