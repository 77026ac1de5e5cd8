"""Error codes of the marketing app (MKT-1…MKT-5); tests assert the code, never the wording."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

TEXT_REQUIRED = ErrorCode("marketing.text_required", _("This field is required."))
TEXT_TOO_LONG = ErrorCode("marketing.text_too_long", _("This text is too long (at most %(limit)s characters)."))
BAD_AMOUNT = ErrorCode("marketing.bad_amount", _("Enter an amount of zero or more."))
DATES_OUT_OF_ORDER = ErrorCode("marketing.dates_out_of_order", _("The end date cannot be before the start date."))
NO_DEPARTMENT = ErrorCode("marketing.no_department", _("You belong to no department."))
# rule: MKT-1
BAD_TRANSITION = ErrorCode(
    "marketing.bad_transition",
    _("A campaign in status “%(status)s” cannot move to “%(target)s”."),
    409,
)
WRONG_STAGE = ErrorCode(
    "marketing.wrong_stage",
    _("This can only be done while the campaign is in %(stages)s (it is in “%(status)s”)."),
    409,
)
TASKS_OPEN = ErrorCode(
    "marketing.tasks_open", _("%(count)s preparation task(s) are not done yet; finish them before execution."), 409
)
SUMMARY_INCOMPLETE = ErrorCode(
    "marketing.summary_incomplete", _("A summary needs the participants, the feedback, the exposure and the spend.")
)
BAD_OWNER = ErrorCode("marketing.bad_owner", _("Choose an active employee as the task owner."))
# rule: CUS-8 (through campaign invitations)
ALREADY_INVITED = ErrorCode("marketing.already_invited", _("%(customer)s is already invited to this campaign."), 409)
NOT_INVITED = ErrorCode("marketing.not_invited", _("This customer was not invited to the campaign."))
ALREADY_LEAD = ErrorCode("marketing.already_lead", _("%(customer)s is already a lead of this campaign."), 409)
# rule: MKT-5
BAD_MEDIA = ErrorCode(
    "marketing.bad_media", _("Upload a photo (%(photo)s) or a video (%(video)s); “%(name)s” is neither.")
)
MEDIA_REQUIRED = ErrorCode("marketing.media_required", _("Choose a file to upload."))
# rule: MKT-2
PLAN_EXISTS = ErrorCode("marketing.plan_exists", _("The department already has a %(kind)s plan for %(year)s."), 409)
BAD_YEAR = ErrorCode("marketing.bad_year", _("Enter a year between 2000 and 2100."))
BAD_KIND = ErrorCode("marketing.bad_kind", _("Choose one of the listed kinds."))
ITEM_DONE = ErrorCode("marketing.item_done", _("This item is already completed."), 409)
ITEM_OUTSIDE_YEAR = ErrorCode("marketing.item_outside_year", _("The item must fall in the plan's year (%(year)s)."))
# rule: MKT-3
ROADSHOW_VOIDED = ErrorCode("marketing.roadshow_voided", _("This roadshow was voided."), 409)
FUTURE_DATE = ErrorCode("marketing.future_date", _("A roadshow cannot be recorded for a future date."))
# rule: MKT-4
BAD_MONTH = ErrorCode("marketing.bad_month", _("Enter a month as YYYY-MM."))
BAD_QUARTER = ErrorCode("marketing.bad_quarter", _("Enter a quarter as YYYY-Q1 … YYYY-Q4."))
