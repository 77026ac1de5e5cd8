"""Error codes of the customer archive (CUS-*). Tests assert the code, never the wording."""

from django.utils.translation import gettext_lazy as _

from yingxiao.core.errors import ErrorCode

# rule: CUS-2 — one code, three wordings: how much the registrant is told depends on their scope.
DUPLICATE_VISIBLE = ErrorCode(
    "customers.duplicate",
    _("This customer already exists: %(customer)s, owned by %(owner)s (%(department)s)."),
    409,
)
DUPLICATE_MASKED = ErrorCode(
    "customers.duplicate",
    _("This customer is already registered by %(department)s %(owner)s."),
    409,
)
DUPLICATE_UNOWNED = ErrorCode(
    "customers.duplicate",
    _("This customer is already registered and currently has no owner; ask the customer-resource director."),
    409,
)
CONTACT_REQUIRED = ErrorCode(
    "customers.contact_required",
    _("Enter at least one way to reach the customer: a phone number or an e-mail address."),
)
INVALID_PHONE = ErrorCode("customers.invalid_phone", _("Enter a valid phone number (at least 5 digits)."))
UNKNOWN_OWNER = ErrorCode("customers.unknown_owner", _("The selected owner does not exist or is not active."))
OWNER_NOT_ALLOWED = ErrorCode(
    "customers.owner_not_allowed",
    _("You may only register customers for yourself or for staff within your scope."),
    403,
)
USE_TRANSFER = ErrorCode(
    "customers.use_transfer",
    _("The owner is changed by a transfer, which needs a reason and the customer-resource director."),
)
TRANSFER_NOT_ALLOWED = ErrorCode(
    "customers.transfer_not_allowed",
    _("Only the customer-resource director or the director may change a customer's owner."),
    403,
)
REASON_REQUIRED = ErrorCode("customers.reason_required", _("Give a reason for the change."))
SAME_OWNER = ErrorCode("customers.same_owner", _("The customer already belongs to this person."))
UNKNOWN_FIELD = ErrorCode("customers.unknown_field", _("Unknown field: %(name)s."))
