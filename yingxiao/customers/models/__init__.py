"""Customer models, one module per sub-domain (archive, pool, relations …)."""

from .archive import Contact, Customer, CustomerIdentity, DuplicateAttempt, OwnershipChange

__all__ = ["Contact", "Customer", "CustomerIdentity", "DuplicateAttempt", "OwnershipChange"]
