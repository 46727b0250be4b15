"""DiffHook: no key API (rotation is create -> migrate -> delete in the dashboard). Verification
only: an old-style Bearer key is checked on the monitors list; a client id + secret pair by the
OAuth token exchange (401 invalid_client = dead)."""

from __future__ import annotations

import httpx

from revoker.service import Verdict, Verification, unknown_for
from revoker.vendors.manual import VerifyOnly

BASE = "https://www.diffhook.com"


class DiffHook(VerifyOnly):
    vendor = "diffhook"
    default_base_url = BASE

    def verify(self, secret: bytes, partner: bytes = b"") -> Verification:
        try:
            if partner.startswith(b"dh_live_"):  # a client secret with its client id
                response = self.client.post(f"{self.base_url}/api/oauth/token", data={
                    "grant_type": "client_credentials", "client_id": partner.decode(),
                    "client_secret": secret.decode("ascii", "replace")})  # fmt: skip
            else:
                bearer = {"Authorization": f"Bearer {secret.decode('ascii', 'replace')}"}
                url = f"{self.base_url}/api/monitors"
                response = self.client.get(url, params={"limit": "1"}, headers=bearer)
        except httpx.HTTPError as exc:
            return unknown_for(None, exc)
        if response.status_code in (200, 403):
            return Verification(Verdict.LIVE, f"accepted (HTTP {response.status_code})")
        if response.status_code == 401:
            return Verification(Verdict.DEAD, "refused (401)")
        return unknown_for(response)
