"""Key-service clients, the revocation workflow, ledger, delivery sinks and notifications.

Not built yet: this package is filled in by the revoker issue. It may import `scanner` and `rules`,
never `leakbot`.
"""
