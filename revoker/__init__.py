"""Key-service clients, the revocation workflow, ledger, delivery sinks and notifications.

May import `scanner` and `rules`, never `leakbot`. Built so far: the KeyService protocol, the HTTP
client policy, the Helicone and DevHelm clients (revoker/vendors/), and a loopback emulator of
their key services (revoker/emulator/). The workflow, ledger, sinks and notifications come next.
"""
