"""Error codes of training and onboarding (HR-9, ORG-6)."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

NOT_ALLOWED = ErrorCode("training.not_allowed", _("You may not manage training for this person."), 403)
BAD_PERIOD = ErrorCode(
    "training.bad_period", _("A quarterly plan names its quarter (1–4), a monthly one its month (1–12).")
)
BAD_YEAR = ErrorCode("training.bad_year", _("The year is not valid."))
NO_TITLE = ErrorCode("training.no_title", _("Give the title."))
BAD_TIMES = ErrorCode("training.bad_times", _("A session ends after it starts."))
SESSION_CANCELLED = ErrorCode("training.session_cancelled", _("This session was cancelled."), 409)
BAD_SCORE = ErrorCode("training.bad_score", _("A score is a number from 0 to 100, for someone who attended."))
SELF_MENTOR = ErrorCode("training.self_mentor", _("A new hire cannot be their own mentor."))
ALREADY_ONBOARDED = ErrorCode("training.already_onboarded", _("This person already has an onboarding record."), 409)
NEED_CLOSED = ErrorCode("training.need_closed", _("This training need is already closed."), 409)
