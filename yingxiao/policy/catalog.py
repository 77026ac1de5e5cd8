"""The policy catalog: every ``{param=default}`` of rules.md, declared once.

Each entry names the rule it belongs to, its type (which decides parsing and validation), its
unit, an English description (translated in the app's locale) and the default of the written
policy. ``sync_catalog`` (run after migrate) writes these definitions to ``PolicyParameter``
idempotently; the values in force live in versioned ``PolicyValue`` rows and are read through
``yingxiao.policy.values.policy_value``. Nothing else in the code may hard-code these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .kinds import Kind


class Unit:
    """Units shown next to a value (translatable labels)."""

    DAYS = "days"
    MONTHS = "months"
    HOURS = "working_hours"
    MINUTES = "minutes"
    YUAN = "yuan"
    PERCENT = "percent"
    TIMES = "times"
    MULTIPLE = "multiple"
    POINTS = "points"
    COUNT = "count"
    NONE = ""

    LABELS: dict[str, str | Promise] = {
        DAYS: _("days"),
        MONTHS: _("months"),
        HOURS: _("working hours"),
        MINUTES: pgettext_lazy("unit", "minutes"),
        YUAN: _("yuan"),
        PERCENT: "%",
        TIMES: _("times"),
        MULTIPLE: "×",
        POINTS: _("points"),
        COUNT: _("count"),
        NONE: "",
    }


@dataclass(frozen=True)
class ParamSpec:
    """One policy parameter as the written policy defines it."""

    name: str
    rule_id: str
    kind: str
    default: Any  # in the JSON form stored by PolicyValue (see kinds.to_json)
    unit: str
    description: str | Promise
    minimum: int | None = None  # for int-like kinds: the smallest accepted value
    choices: tuple[str, ...] = ()  # for lists: the accepted items

    @property
    def section(self) -> str:
        return self.rule_id.split("-", 1)[0]


def _int(name: str, rule: str, default: int, unit: str, text: str | Promise, minimum: int = 1) -> ParamSpec:
    return ParamSpec(name, rule, Kind.INT, default, unit, text, minimum=minimum)


def _money(name: str, rule: str, default: str, text: str | Promise) -> ParamSpec:
    return ParamSpec(name, rule, Kind.DECIMAL, default, Unit.YUAN, text)


def _pct(name: str, rule: str, default: str, text: str | Promise) -> ParamSpec:
    return ParamSpec(name, rule, Kind.PERCENT, default, Unit.PERCENT, text)


# rule: CUS-7 — what counts as service. SMS and messages are not offered: they never qualify.
# A ":result" suffix means the contact counts only when its result (outcome) is filled in.
QUALIFYING_ACTIVITY_CHOICES: tuple[str, ...] = (
    "visit",
    "visit:result",
    "home_visit",
    "home_visit:result",
    "call",
    "call:result",
    "letter",
    "letter:result",
    "email",
    "email:result",
)

CATALOG: tuple[ParamSpec, ...] = (
    # ORG
    _int("probation_months", "ORG-6", 2, Unit.MONTHS, _("Length of probation for new staff.")),
    _int("probation_sales", "ORG-6", 5, Unit.COUNT, _("Closed sales needed to pass probation."), minimum=0),
    # CUS
    _int("grade_review_months", "CUS-4", 3, Unit.MONTHS, _("Interval of the periodic customer grade review.")),
    _int("vip_downgrade_days", "CUS-4", 5, Unit.DAYS, _("Days after an evaluation to downgrade a problem VIP.")),
    _int(
        "service_window_days",
        "CUS-7",
        90,
        Unit.DAYS,
        _("Days without service after which a customer is released to the public pool."),
    ),
    ParamSpec(
        "qualifying_activity_types",
        "CUS-7",
        Kind.LIST,
        ["visit", "home_visit", "call:result"],
        Unit.NONE,
        _('Contacts that count as service (":result": only with an outcome). SMS and messages never count.'),
        choices=QUALIFYING_ACTIVITY_CHOICES,
    ),
    # rule: CUS-7 — our choices (the policy names no numbers): reminder lead time and claim quota.
    _int(
        "pool_release_reminder_days",
        "CUS-7",
        7,
        Unit.DAYS,
        _("Days before the release to the public pool that the owner is reminded (0: no reminder)."),
        minimum=0,
    ),
    _int(
        "pool_claim_daily_quota",
        "CUS-7",
        10,
        Unit.COUNT,
        _("Customers one person may claim from the public pool per day."),
        minimum=0,
    ),
    ParamSpec(
        "invite_cutoff",
        "CUS-8",
        Kind.TIME,
        "18:00",
        Unit.NONE,
        _("Invitations logged after this time count for the next day."),
    ),
    _int(
        "tracking_review_days",
        "CUS-10",
        7,
        Unit.DAYS,
        _("Interval of the supervisor's review of A/B customer tracking sheets."),
    ),
    _int(
        "greeting_lead_days",
        "CUS-12",
        3,
        Unit.DAYS,
        _("Days before a contact's birthday or a holiday that the owner is reminded to send greetings."),
        minimum=0,
    ),
    _money("referral_reward", "CUS-13", "200", _("Reward for a referral that closes.")),
    _money("vip_downgrade_fine", "CUS-4", "100", _("Fine for a VIP downgrade made after the deadline.")),
    _int(
        "points_per_1000",
        "CUS-13",
        100,
        Unit.POINTS,
        _("Referral points per 1,000 yuan of the referred sale."),
        minimum=0,
    ),
    _int(
        "key_account_visit_days",
        "CUS-14",
        90,
        Unit.DAYS,
        _("Maximum interval between management visits to a key account."),
    ),
    _int(
        "key_account_lead_days",
        "CUS-14",
        7,
        Unit.DAYS,
        _("Days before a key-account visit falls due that the visitor is reminded."),
        minimum=0,
    ),
    # ACT
    _int(
        "return_visit_days",
        "ACT-2",
        30,
        Unit.DAYS,
        _("Maximum interval between return visits to a transacted customer."),
    ),
    _int(
        "return_visit_lead_days",
        "ACT-2",
        3,
        Unit.DAYS,
        _("Days before a return visit falls due that the owner is reminded."),
        minimum=0,
    ),
    _pct("return_visit_target", "ACT-2", "100", _("Target for return-visit punctuality.")),
    _int("sms_invalid_streak", "ACT-3", 3, Unit.TIMES, _("Consecutive SMS-only return visits that become invalid.")),
    # QUO
    _int("nonstandard_quote_hours", "QUO-1", 8, Unit.HOURS, _("Working hours to prepare a non-standard quote.")),
    _pct("price_float_pct", "QUO-2", "5", _("Discount from the price list allowed without approval.")),
    # rule: QUO-1 — our choices (the policy names no numbers): reminder lead time and the fine when late.
    _int(
        "nonstandard_quote_lead_hours",
        "QUO-1",
        2,
        Unit.HOURS,
        _("Working hours before a non-standard quote is due that the quoting engineer is reminded (0: none)."),
        minimum=0,
    ),
    _money("nonstandard_quote_fine", "QUO-1", "50", _("Fine for a non-standard quote prepared after the deadline.")),
    # rule: QUO-2 — approval tiers: the department head approves any discount beyond the float; the
    # sales director too from this discount, and the general manager too from the next.
    _pct("price_director_pct", "QUO-2", "10", _("Discount from which the sales director must also approve.")),
    _pct("price_gm_pct", "QUO-2", "15", _("Discount from which the general manager must also approve.")),
    # ORD
    _int("outlet_stock_days", "ORD-6", 30, Unit.DAYS, _("Days stock may stay at a secondary outlet before recall.")),
    _money("outlet_stock_fine_per_day", "ORD-6", "50", _("Fine per day of overdue outlet stock.")),
    # CON
    _pct("collection_target", "CON-3", "100", _("Target collection rate.")),
    _pct("bad_debt_max", "CON-3", "0.2", _("Maximum bad-debt ratio.")),
    ParamSpec(
        "reconcile_weekday",
        "CON-4",
        Kind.WEEKDAY,
        "friday",
        Unit.NONE,
        _("Weekday of the weekly reconciliation with finance."),
    ),
    ParamSpec(
        "ledger_reconcile_day",
        "CON-4",
        Kind.DAY_OF_MONTH,
        25,
        Unit.NONE,
        _("Day of the month for the sales ledger reconciliation."),
    ),
    _money("guarantee_limit", "CON-8", "500", _("Distributor debt a regional manager may guarantee.")),
    _int(
        "guarantee_months",
        "CON-8",
        3,
        Unit.MONTHS,
        _("Months after which an unpaid guaranteed debt is deducted from pay."),
    ),
    # rule: CON-3 — the bad-debt limit is per scope: the seeds name 0.2% (千分之二, a salesperson's
    # book: ``bad_debt_max``), 3% (the sales office / a department) and 1% (the sales assistant's whole book).
    _pct("bad_debt_max_department", "CON-3", "3", _("Maximum bad-debt ratio of a department.")),
    _pct("bad_debt_max_company", "CON-3", "1", _("Maximum bad-debt ratio of the whole marketing center.")),
    # rule: CON-3 — receivables ageing buckets (our choice; the policy names none): upper edges in days overdue.
    ParamSpec(
        "ageing_bucket_days",
        "CON-3",
        Kind.LIST,
        ["30", "60", "90", "180"],
        Unit.DAYS,
        _("Upper edges (days overdue) of the receivables ageing buckets, ascending."),
    ),
    # rule: CON-2 — from this month on, a cross-year contract without the customer's written balance
    # confirmation for the year is reminded (our choice: the policy names no date).
    _int(
        "balance_confirm_month",
        "CON-2",
        11,
        Unit.NONE,
        _("Month of the year from which a cross-year contract lacking the balance confirmation is reminded."),
    ),
    # SHP
    _money("missing_receipt_fine", "SHP-2", "500", _("Fine for a shipment without a signed delivery receipt.")),
    _money("shipment_followup_fine", "SHP-3", "100", _("Fine for a logistics lapse that leads to a complaint.")),
    # CMP
    _int(
        "complaint_assign_days", "CMP-2", 1, Unit.DAYS, _("Days to define responsibility and a plan for a complaint.")
    ),
    _int("complaint_close_days", "CMP-5", 7, Unit.DAYS, _("Days to close a complaint.")),
    ParamSpec(
        "complaint_fine",
        "CMP-6",
        Kind.RANGE,
        ["200", "1500"],
        Unit.YUAN,
        _("Fine range for an attributable quality complaint."),
    ),
    ParamSpec(
        "service_complaint_fine",
        "CMP-6",
        Kind.RANGE,
        ["20", "100"],
        Unit.YUAN,
        _("Fine range for an attributable service complaint."),
    ),
    ParamSpec(
        "aftersales_report_day",
        "CMP-8",
        Kind.DAY_OF_MONTH,
        29,
        Unit.NONE,
        _("Day of the month before which the after-sales report is due."),
    ),
    # CMP-2 / CMP-5 reminder lead (operational, beyond rules.md): the responsible head is told this
    # many working hours before the responsibility (CMP-2) or closing (CMP-5) deadline.
    _int(
        "complaint_sla_lead_hours",
        "CMP-2",
        4,
        Unit.HOURS,
        _("Working hours before a complaint deadline (responsibility, closing) when the head is reminded."),
    ),
    _int(
        "complaint_repeat_count", "CMP-9", 3, Unit.TIMES, _("Complaints with the same cause in a period that flag it.")
    ),
    _int(
        "aftersales_report_lead_days", "CMP-8", 3, Unit.DAYS, _("Days before the after-sales report is due to remind.")
    ),
    _money("aftersales_late_fine", "CMP-8", "50", _("Fine for an after-sales report not submitted on time.")),
    # MKT
    _pct("media_plan_target", "MKT-2", "100", _("Target completion of the advertising, exhibition and web plans.")),
    _int("roadshows_per_month", "MKT-3", 4, Unit.COUNT, _("Roadshows required per month."), minimum=0),
    _money("roadshow_fine", "MKT-3", "50", _("Fine per missing roadshow.")),
    # PLN
    ParamSpec(
        "gift_fine_multiple",
        "PLN-5",
        Kind.DECIMAL,
        "10",
        Unit.MULTIPLE,
        _("Fine for an undelivered gift, as a multiple of its value."),
    ),
    _pct(
        "plan_behind_threshold",
        "PLN-3",
        "10",
        _("A target behind plan by more than this share needs a corrective action."),
    ),
    _int(
        "corrective_action_days", "PLN-3", 5, Unit.DAYS, _("Days after the period ends to submit a corrective action.")
    ),
    _money("corrective_action_fine", "PLN-3", "50", _("Fine when no corrective action is submitted in time.")),
    _money("expense_tier1_amount", "PLN-4", "5000", _("Expense claims from this amount also need the director.")),
    _money(
        "expense_tier2_amount", "PLN-4", "20000", _("Expense claims from this amount also need the general manager.")
    ),
    _int(
        "gift_delivery_days", "PLN-5", 7, Unit.DAYS, _("Days after approval to deliver a gift and get it signed for.")
    ),
    # HR
    _int("late_minor_minutes", "HR-2", 10, Unit.MINUTES, _("Lateness up to this many minutes is minor.")),
    _int(
        "late_minor_per_month",
        "HR-2",
        3,
        Unit.TIMES,
        _("Minor lateness allowed per month before it is general."),
        minimum=0,
    ),
    _money("late_minor_deduct", "HR-2", "20", _("Deduction for minor lateness.")),
    _money("late_general_deduct", "HR-2", "50", _("Deduction for general lateness.")),
    _pct("absent_half_pct", "HR-2", "50", _("Share of the performance bonus deducted for half a day absent.")),
    _int("leave_tier1_days", "HR-5", 3, Unit.DAYS, _("Leave up to this many days is approved by the department head.")),
    _int("leave_tier2_days", "HR-5", 7, Unit.DAYS, _("Leave up to this many days also needs the director.")),
    _money("meeting_late_fine", "HR-6", "20", _("Fine for arriving late to a meeting.")),
    _money("meeting_missed_fine", "HR-6", "50", _("Fine for an organiser who fails to hold a scheduled meeting.")),
    _money("late_report_fine", "HR-7", "50", _("Fine for a late work report.")),
    _money("empty_post_fine", "HR-10", "50", _("Fine for an unattended post.")),
    # HR-6: 提前3分钟到达, 迟到者罚款 (seed 002 §27); set 0 to count only arrivals after the start.
    _int(
        "meeting_early_minutes",
        "HR-6",
        3,
        Unit.MINUTES,
        _("Attendees must arrive this many minutes before a meeting starts; a later arrival is late."),
        minimum=0,
    ),
    # HR-7 deadlines (the seeds say "第一时间"; the times are our choice and editable).
    ParamSpec(
        "daily_plan_due", "HR-7", Kind.TIME, "09:30", Unit.NONE, _("Time of day by which the daily plan is submitted.")
    ),
    ParamSpec(
        "daily_summary_due",
        "HR-7",
        Kind.TIME,
        "19:00",
        Unit.NONE,
        _("Time of day by which the daily summary is submitted."),
    ),
    ParamSpec(
        "weekly_report_weekday",
        "HR-7",
        Kind.WEEKDAY,
        "saturday",
        Unit.NONE,
        _("Weekday on which the weekly report is due (a holiday moves it to the next working day)."),
    ),
    ParamSpec(
        "weekly_report_due", "HR-7", Kind.TIME, "18:00", Unit.NONE, _("Time of day by which the weekly report is due.")
    ),
    _int(
        "period_report_workdays",
        "HR-7",
        3,
        Unit.DAYS,
        _("Working days after a month, quarter or year ends by which its report is due (at the daily summary time)."),
    ),
    _int(
        "report_remind_minutes",
        "HR-7",
        60,
        Unit.MINUTES,
        _("Minutes before a report deadline when an unsubmitted report is reminded."),
    ),
    # DIS
    ParamSpec(
        "supervisor_multiple",
        "DIS-1",
        Kind.DECIMAL,
        "2",
        Unit.MULTIPLE,
        _("The direct superior's fine as a multiple of a frontline employee's fine."),
    ),
    _int("fine_pay_days", "DIS-1", 3, Unit.DAYS, _("Days to pay an approved fine to finance.")),
    _int("repeat_offence_count", "DIS-1", 3, Unit.TIMES, _("Offences within the window that are reported to HR.")),
    _int("repeat_offence_days", "DIS-1", 90, Unit.DAYS, _("Window for counting repeat offences.")),
    _money("excellent_employee_reward", "DIS-2", "100", _("Monthly excellent-employee reward.")),
    _money("whistleblow_reward", "DIS-2", "100", _("Reward for reporting a violation.")),
    # PRF
    _int("fail_months", "PRF-2", 3, Unit.MONTHS, _("Consecutive failing months that flag a person for review.")),
    _int("ranking_months", "PRF-4", 2, Unit.MONTHS, _("Interval of the conversion and contact-capture ranking.")),
    _int("grade_excellent_score", "PRF-1", 90, Unit.POINTS, _("Lowest evaluation score graded excellent (优秀).")),
    _int("grade_good_score", "PRF-1", 80, Unit.POINTS, _("Lowest evaluation score graded good (良好).")),
    _int("grade_pass_score", "PRF-1", 60, Unit.POINTS, _("Lowest evaluation score graded pass (合格); below fails.")),
    _pct("performance_pay_excellent", "PRF-3", "100", _("Share of the performance pay paid for an excellent grade.")),
    _pct("performance_pay_good", "PRF-3", "90", _("Share of the performance pay paid for a good grade.")),
    _pct("performance_pay_pass", "PRF-3", "70", _("Share of the performance pay paid for a pass grade.")),
    _pct("performance_pay_fail", "PRF-3", "0", _("Share of the performance pay paid for a failing grade.")),
    _pct("commission_rate", "PRF-3", "2", _("Commission rate on collected revenue.")),
    _pct("ranking_bottom_percent", "PRF-4", "10", _("Share of ranked people at the bottom flagged for retraining.")),
    # ARC
    _int("archive_borrow_max_days", "ARC-1", 30, Unit.DAYS, _("Longest time an archive may be borrowed.")),
    _int("export_max_rows_per_file", "ARC-2", 100000, Unit.COUNT, _("Most rows in one exported file.")),
    _int("export_max_rows_per_hour", "ARC-2", 300000, Unit.COUNT, _("Most rows one person may export within an hour.")),
    # KPI
    _pct("new_customer_growth", "KPI", "60", _("Target growth of new customers over last year.")),
    _pct("loyalty_target", "KPI", "90", _("Target share of repeat customers.")),
)

BY_NAME: dict[str, ParamSpec] = {spec.name: spec for spec in CATALOG}

# Section order on the policy page follows rules.md.
SECTIONS: tuple[str, ...] = (
    "ORG",
    "CUS",
    "ACT",
    "TEL",
    "QUO",
    "ORD",
    "CON",
    "SHP",
    "CMP",
    "MKT",
    "PLN",
    "HR",
    "DIS",
    "PRF",
    "ARC",
    "APR",
    "KPI",
)
