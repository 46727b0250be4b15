"""Manual playbooks: the dashboard steps from each vendor's own docs, sent to the owner when
leakbot cannot (no key API, a policy of `notify`, or no admin credential) rotate a key itself.
The steps are data, `rotate = [...]` in each vendor's rules/data file (SARIF help shows them
too)."""

from __future__ import annotations

from rules.loader import playbooks


def playbook(vendor: str) -> tuple[str, ...]:
    return playbooks().get(vendor, ("Revoke the leaked key in the vendor's dashboard.",))
