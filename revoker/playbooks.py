"""Manual playbooks: the dashboard steps from each vendor's own docs, sent to the owner when
leakbot cannot (no key API, a policy of `notify`, or no admin credential) rotate a key itself."""

from __future__ import annotations

PLAYBOOKS: dict[str, tuple[str, ...]] = {
    "helicone": (
        "Open the Helicone dashboard (EU keys: the EU dashboard) -> Settings -> API Keys.",
        "Create a new key with the same permissions (rw, r or w) and a descriptive name.",
        "Put the new key where the apps read it (environment, secret store, CI secret).",
        "Delete the leaked key (match it by the preview and creation date below).",
        "A read-capable key can read the organisation's stored provider keys: rotate those too.",
        "Proxy keys (sk-helicone-proxy-) cannot be managed by API: delete them in the dashboard.",
    ),
    "devhelm": (
        "Open the DevHelm Dashboard -> Settings -> API Keys.",
        "Create a new API key (one per environment) and update DEVHELM_API_TOKEN where it is used.",
        "Revoke the leaked key; requests with it then answer 401.",
    ),
    "diffhook": (
        "Create a new key in DiffHook: App -> Settings -> API Keys, and update your applications.",
        "Verify the new key works in production.",
        "Delete the leaked key from App -> Settings -> API Keys (revocation is instant: 401).",
        "For a leaked signing secret: App -> Settings -> API Keys -> Rotate signing secret; update "
        "your server's secret before the old one stops being accepted.",
    ),
    "helios": (
        "Log in at heliosai.health -> Dashboard -> Settings.",
        "Create a new key and update the application's HELIOS_API_KEY (x-api-key header).",
        "Revoke the leaked key (or Revoke All in an emergency).",
        "For a leaked webhook secret: Settings -> Regenerate (invalidates the old one).",
    ),
    "devdraft": (
        "Open Devdraft: App Settings -> API Keys.",
        "Create a new API key with the same scopes; store the key and its secret securely.",
        "Update DEVDRAFT_API_KEY and DEVDRAFT_SECRET where the applications read them.",
        "Delete (revoke) the leaked key pair, then review the audit log for unauthorised access.",
    ),
}


def playbook(vendor: str) -> tuple[str, ...]:
    return PLAYBOOKS.get(vendor, ("Revoke the leaked key in the vendor's dashboard.",))
