"""The vendor clients, listed explicitly (no discovery by import scanning)."""

from __future__ import annotations

from revoker.vendors.devhelm import DevHelm
from revoker.vendors.helicone import Helicone

SERVICES: dict[str, type[Helicone] | type[DevHelm]] = {
    "helicone": Helicone,
    "devhelm": DevHelm,
}
