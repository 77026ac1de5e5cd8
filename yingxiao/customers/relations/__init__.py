"""Grade reviews (CUS-4), admission checklist (CUS-5), invitations (CUS-8), tracking sheets (CUS-10)
and referrals (CUS-13): services and selectors per sub-domain, one module each.

``hooks.customer_changing`` is called by ``customers.services.customer_update`` before a
customer's fields change, so the archive's edit path enforces CUS-5 and triggers CUS-4/CUS-13.
"""
