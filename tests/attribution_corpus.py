"""Generated keys in realistic contexts of our vendors and of other products that share their
prefixes and headers (a WhatsApp API's dh_live_ tokens, a weather API's x-api-key, payment APIs'
x-client-secret, Stripe's sk_live_). Each snippet says which vendor must be found, or none.

`measure` scans them all and counts what was found right, missed, misattributed, and falsely
claimed for our vendors; the closing notes quote its figures before and after a change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rules import builtin_rules
from scanner.engine import Engine
from scanner.fragment import Fragment
from tests.conftest import Keys

Template = Callable[[Keys], tuple[str, str, str | None]]  # -> (text, secret, vendor or None)


def _sdk_readme(lines_between: int, setter: str, key: str, secret: str) -> str:
    filler = "".join(
        f"Step {n}: see the API reference for details.\n" for n in range(lines_between)
    )
    return (
        f"# Devdraft SDK\n\n```\n{setter.format(name='x-client-key', value=key)}\n"
        f"```\n\n{filler}\n```\n{setter.format(name='x-client-secret', value=secret)}\n```\n"
    )


SETTERS = {
    "php": "$config = Devdraft\\Configuration::getDefaultConfiguration()->setApiKey('{name}', '{value}');",
    "ruby": "  config.api_key['{name}'] = '{value}'",
    "csharp": '            config.DefaultHeaders.Add("{name}", "{value}");',
    "go": 'ctx = context.WithValue(ctx, devdraft.ContextAPIKeys, map[string]devdraft.APIKey{{"{name}": {{Key: "{value}"}}}})',
    "typescript": "const configuration = new Configuration({{ headers: {{ '{name}': '{value}' }} }});",
}  # fmt: skip


def _ours() -> list[Template]:
    out: list[Template] = [
        lambda k: (f"DEVHELM_API_TOKEN={(s := k.rand('dh_live_', 32))}\n", s, "devhelm"),
        lambda k: (f'curl -H "Authorization: Bearer {(s := k.rand("dh_live_", 40))}" '
                   '-H "x-phelm-org-id: 7" https://api.devhelm.io/api/v1/monitors\n', s, "devhelm"),
        lambda k: (f'from devhelm import Client\nclient = Client(api_token="{(s := k.rand("dh_live_", 32))}")\n',
                   s, "devhelm"),
        lambda k: (f"DIFFHOOK_API_KEY={(s := k.rand('dh_live_', 32))}\n", s, "diffhook"),
        lambda k: ("curl https://www.diffhook.com/api/monitors?limit=1 -H \"Authorization: Bearer "
                   f'{(s := k.rand("dh_live_", 32))}"\n', s, "diffhook"),
        lambda k: (f"diffhook:\n  api_key: {(s := k.rand('dh_live_', 40))}\n", s, "diffhook"),
        lambda k: (f"HELICONE_API_KEY={(s := k.b32('sk-helicone-'))}\n", s, "helicone"),
        lambda k: (f'headers = {{"Helicone-Auth": "Bearer {(s := k.b32("sk-helicone-eu-"))}"}}\n', s,
                   "helicone"),
        lambda k: (f"HELIOS_API_KEY={(s := k.rand('sk_live_', 40))}\n", s, "helios"),
        lambda k: ("curl https://api.heliosai.health/api/v1/agent -H \"x-api-key: "
                   f'{(s := k.rand("sk_live_", 32))}"\n', s, "helios"),
        lambda k: (f"DEVDRAFT_SECRET={(s := k.rand('sk_live_', 40))}\n", s, "devdraft"),
        lambda k: ("curl https://api.devdraft.ai/v1/payments -H \"Authorization: Bearer "
                   f'{k.rand("", 32)}" -H "X-Secret-Key: {(s := k.rand("", 40))}"\n', s, "devdraft"),
    ]  # fmt: skip
    for setter in SETTERS.values():
        for gap in (0, 20):
            out.append(
                lambda k, setter=setter, gap=gap: (
                    _sdk_readme(gap, setter, k.rand("", 32), s := k.rand("", 40)),
                    s,
                    "devdraft",
                )
            )
    return out


def _theirs() -> list[Template]:
    return [
        lambda k: (f"WAPI_TOKEN={(s := k.rand('dh_live_', 32))}\n", s, None),
        lambda k: ("curl https://graph.whatsapp-gateway.io/v2/messages -H \"Authorization: Bearer "
                   f'{(s := k.rand("dh_live_", 32))}"\n', s, None),
        lambda k: ("source:\n  type: datahub\n  config:\n    server: https://datahub.acme.io\n"
                   f"    token: {(s := k.rand('dh_live_', 32))}\n", s, None),
        lambda k: ("curl https://api.acme-weather.com/v1/forecast -H \"x-api-key: "
                   f'{(s := k.rand("sk_live_", 32))}"\n', s, None),
        lambda k: (f"STRIPE_SECRET_KEY={(s := k.rand('sk_live_', 32))}\n", s, None),
        lambda k: (f'stripe.api_key = "{(s := k.rand("sk_live_", 24))}"\n', s, None),
        lambda k: (f'-H "x-client-id: {k.rand("", 20)}" -H "x-client-secret: {(s := k.rand("", 40))}"\n',
                   s, None),
        lambda k: ("curl https://api.acme-pay.com/v2/payouts -H \"X-Secret-Key: "
                   f'{(s := k.rand("", 40))}"\n', s, None),
        lambda k: ("$config = Acmepay\\Configuration::getDefaultConfiguration()->setApiKey("
                   f"'x-client-secret', '{(s := k.rand('', 40))}');\n", s, None),
        lambda k: ('ctx = context.WithValue(ctx, acmepay.ContextAPIKeys, map[string]acmepay.APIKey{'
                   f'"x-client-secret": {{Key: "{(s := k.rand("", 40))}"}}}})\n', s, None),
    ]  # fmt: skip


@dataclass
class Score:
    found: int = 0  # our key, right vendor
    missed: int = 0  # our key, not reported
    misattributed: int = 0  # our key, reported for another of our vendors only
    false_alarms: int = 0  # another product's key reported as one of ours
    quiet: int = 0  # another product's key, not reported

    def __str__(self) -> str:
        ours = self.found + self.missed + self.misattributed
        theirs = self.false_alarms + self.quiet
        return (f"ours {self.found}/{ours} found ({self.missed} missed, {self.misattributed} "
                f"misattributed); others' {self.false_alarms}/{theirs} false alarms")  # fmt: skip


def measure(seeds: int = 20, engine: str = "auto") -> Score:
    scanner = Engine(builtin_rules(), engine)
    score = Score()
    for n in range(seeds):
        keys = Keys(f"attribution-corpus-{n}")
        for template in [*_ours(), *_theirs()]:
            text, secret, vendor = template(keys)
            found = [f for f in scanner.scan(Fragment(text.encode(), "README.md"))
                     if f.secret == secret.encode()]  # fmt: skip
            if vendor is None:
                score.false_alarms += bool(found)
                score.quiet += not found
            elif not found:
                score.missed += 1
            elif any(vendor in (f.vendor, *f.candidates) for f in found):
                score.found += 1
            else:
                score.misattributed += 1
    return score
