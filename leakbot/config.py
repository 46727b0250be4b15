"""`.leakbot.toml` (or `[tool.leakbot]` in pyproject.toml), version 1.

Precedence: flag > env (LEAKBOT_CONFIG) > repo file > user file > built-in default. The chosen
file's keys override the user file's; `rules` and `allowlists` add up. Unknown keys are errors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from leakbot.errors import ConfigError
from revoker.kinds import Policy
from rules import Rule, RuleError, builtin_rules, rules_from_tables
from rules.loader import check_references
from scanner.allow import Allowlist

if TYPE_CHECKING:  # the bot's settings are read only from a config that has them
    from leakbot.settings import Serve, Target
    from revoker.delivery import Route

VERSION = 1
DEFAULT_BASELINE = ".leakbot-baseline.json"
_KEYS = {"version", "rules", "disabled_rules", "allowlists", "baseline", "vendors", "sinks",
         "notify", "targets", "serve", "state", "lease", "deliveries"}  # fmt: skip
VENDORS = ("devhelm", "diffhook", "helicone", "helios", "devdraft")
_VENDOR_KEYS = {"base_url", "eu_base_url", "admin_env", "policy", "deliver", "variable", "timeout"}
# The name the apps read each vendor's key under (the vendors' documented variables).
VARIABLES = {"devhelm": "DEVHELM_API_TOKEN", "diffhook": "DIFFHOOK_API_KEY",
             "helicone": "HELICONE_API_KEY", "helios": "HELIOS_API_KEY",
             "devdraft": "DEVDRAFT_SECRET"}  # fmt: skip
_ALLOW_KEYS = {"description", "condition", "paths", "regexes", "stopwords", "rules"}


@dataclass
class Config:
    sources: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    allowlists: list[Allowlist] = field(default_factory=list)
    baseline: Path | None = None
    # Per vendor: base URLs (overridable: tests and rehearsals point them at the emulator) and
    # the name of the environment variable holding an admin credential (never the credential).
    vendors: dict[str, dict[str, Any]] = field(default_factory=dict)
    # [sinks.<name>] and [[notify]] tables as written, with the file each came from (they are
    # built, and fully checked, only by the commands that deliver or notify).
    sinks: dict[str, tuple[dict[str, Any], Path]] = field(default_factory=dict)
    notify: list[tuple[dict[str, Any], Path]] = field(default_factory=list)
    # [[deliveries]]: which leaked key's replacement goes to which sinks and variable (the
    # first route that matches a key wins), with the file that says so.
    deliveries: list[tuple[Route, Path]] = field(default_factory=list)
    # What `leakbot serve` watches ([[targets]]) and how it listens ([serve]).
    targets: list[Target] = field(default_factory=list)
    serve: Serve | None = None
    # Where the state lives (a SQLite file, relative to the config's folder, or a postgresql://
    # URL; --state and LEAKBOT_STATE win), and how long a claim on a ledger row outlives a
    # process that stopped renewing it.
    state: str | None = None
    lease: float | None = None

    def triage_baseline(self) -> Path:
        """Where the web view writes the baseline entries of a credential triaged as a false
        positive: `baseline =` when set, else .leakbot-baseline.json beside the config (which
        the bot then reads too)."""
        if self.baseline is not None:
            return self.baseline
        folder = Path(self.sources[-1]).parent if self.sources else Path.cwd()
        return (folder / DEFAULT_BASELINE).resolve()

    def admin_credentials(self) -> dict[str, str | None]:
        return {v: os.environ.get(s["admin_env"]) if s.get("admin_env") else None
                for v, s in self.vendors.items()}  # fmt: skip


def _read(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if path.name == "pyproject.toml" and "leakbot" not in text:
        return None  # most projects' pyproject has no [tool.leakbot]: no TOML parser to load
    import tomllib

    try:
        doc = tomllib.loads(text)
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        tool = doc.get("tool", {})
        found = tool.get("leakbot") if isinstance(tool, dict) else None
        return found if isinstance(found, dict) else None
    return doc


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "leakbot" / "config.toml"


def find_files(explicit: str | None, search_dirs: list[Path]) -> list[Path]:
    """The config files in force, lowest precedence first."""
    files = [user_config_path()]
    chosen = explicit or os.environ.get("LEAKBOT_CONFIG")
    if chosen:
        if not _is_file(Path(chosen)):
            raise ConfigError(f"{chosen}: config file not found")
        return [*files, Path(chosen)]
    for folder in search_dirs:
        for name in (".leakbot.toml", "pyproject.toml"):
            candidate = folder / name
            if _is_file(candidate) and (name != "pyproject.toml" or _read(candidate) is not None):
                return [*files, candidate]
    return files


def _is_file(path: Path) -> bool:
    """A config candidate; a folder that cannot be read is an error that names it."""
    try:
        return path.is_file()
    except OSError as exc:
        raise ConfigError(f"{path.parent}: cannot read: {exc.strerror}") from None


def load(explicit: str | None = None, search_dirs: list[Path] | None = None) -> Config:
    config = Config()
    disabled: set[str] = set()
    user_rules: list[Rule] = []
    for path in find_files(explicit, search_dirs or [Path.cwd()]):
        doc = _read(path)
        if doc is None:
            continue
        config.sources.append(str(path))
        _validate(doc, path)
        disabled.update(doc.get("disabled_rules", []))
        try:
            user_rules.extend(rules_from_tables(doc.get("rules", []), str(path), user=True))
        except RuleError as exc:
            raise ConfigError(str(exc)) from None
        config.allowlists.extend(
            _allowlist(t, path, n) for n, t in enumerate(doc.get("allowlists", []))
        )
        if "baseline" in doc:
            config.baseline = (path.parent / doc["baseline"]).resolve()
        for vendor, table in _vendors(doc.get("vendors", {}), path).items():
            config.vendors.setdefault(vendor, {}).update(table)
        for name, table in _sinks(doc.get("sinks", {}), path).items():
            config.sinks[name] = (table, path)
        if "notify" in doc:
            config.notify = [(t, path) for t in _notify(doc["notify"], path)]
        if "deliveries" in doc:
            config.deliveries = _deliveries(doc["deliveries"], path)
        if "targets" in doc or "serve" in doc:
            config.targets, config.serve = _bot(doc, path)
        if "state" in doc:
            config.state = _state(doc["state"], path)
        if "lease" in doc:
            config.lease = _lease(doc["lease"], path)
    all_rules = [*builtin_rules(), *user_rules]
    unknown = sorted(disabled - {r.id for r in all_rules})
    if unknown:
        raise ConfigError(f"{config.sources[-1]}: disabled_rules: unknown rule {unknown[0]!r}")
    _check_sinks(config)
    config.rules = [r for r in all_rules if r.id not in disabled]
    try:
        check_references(config.rules)
    except RuleError as exc:
        raise ConfigError(str(exc)) from None
    return config


def _check_sinks(config: Config) -> None:
    """Every sink a vendor or a delivery route names is defined."""
    named = [(f"{config.sources[-1]}: vendors.{vendor}", table.get("deliver", []))
             for vendor, table in config.vendors.items()]  # fmt: skip
    named += [(f"{path}: deliveries[{n}]", r.deliver)
              for n, (r, path) in enumerate(config.deliveries)]  # fmt: skip
    for where, sinks in named:
        for sink in sinks:
            if sink not in config.sinks:
                raise ConfigError(f"{where}: deliver: no sink named {sink!r} "
                                  f"(define [sinks.{sink}])")  # fmt: skip


def _deliveries(tables: Any, path: Path) -> list[tuple[Route, Path]]:
    from leakbot.settings import route

    if not isinstance(tables, list):
        raise ConfigError(f"{path}: 'deliveries' must be an array of tables ([[deliveries]])")
    try:
        return [(route(t, n, VENDORS), path) for n, t in enumerate(tables)]
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _validate(doc: Mapping[str, Any], path: Path) -> None:
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}")
    if doc.get("version") != VERSION:
        raise ConfigError(f"{path}: 'version = {VERSION}' is required")
    if not isinstance(doc.get("rules", []), list):
        raise ConfigError(f"{path}: 'rules' must be an array of tables ([[rules]])")
    if not isinstance(doc.get("allowlists", []), list):
        raise ConfigError(f"{path}: 'allowlists' must be an array of tables ([[allowlists]])")
    disabled = doc.get("disabled_rules", [])
    if not isinstance(disabled, list) or not all(isinstance(d, str) for d in disabled):
        raise ConfigError(f"{path}: 'disabled_rules' must be a list of rule ids")
    if "baseline" in doc and not isinstance(doc["baseline"], str):
        raise ConfigError(f"{path}: 'baseline' must be a path")


def _vendors(tables: Any, path: Path) -> dict[str, dict[str, str]]:
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: 'vendors' must be a table of [vendors.<name>] tables")
    out = {}
    for vendor, table in tables.items():
        where = f"{path}: vendors.{vendor}"
        if vendor not in VENDORS:
            raise ConfigError(f"{where}: unknown vendor (one of {', '.join(VENDORS)})")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        unknown = sorted(set(table) - _VENDOR_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
        if "eu_base_url" in table and vendor != "helicone":
            raise ConfigError(f"{where}: eu_base_url: only Helicone has an EU region")
        deliver = table.get("deliver", [])
        if not isinstance(deliver, list) or not all(isinstance(d, str) for d in deliver):
            raise ConfigError(f"{where}: deliver must be a list of sink names")
        timeout = table.get("timeout", 1)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(f"{where}: timeout must be a number of seconds, e.g. 10")
        if not all(isinstance(v, str) for k, v in table.items() if k not in ("deliver", "timeout")):
            raise ConfigError(f"{where}: values must be strings")
        if table.get("policy", Policy.APPROVE) not in tuple(Policy):
            raise ConfigError(f"{where}: policy must be one of {', '.join(Policy)}")
        for key in ("base_url", "eu_base_url"):
            if key in table:
                _url(table[key], f"{where}: {key}")
        if "admin_env" in table and not table["admin_env"].replace("_", "").isalnum():
            raise ConfigError(
                f"{where}: admin_env names an environment variable, e.g. HELICONE_ADMIN_KEY"
            )
        out[vendor] = dict(table)
    return out


def _sinks(tables: Any, path: Path) -> dict[str, dict[str, Any]]:
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ConfigError(f"{path}: 'sinks' must be a table of [sinks.<name>] tables")
    if tables:
        from revoker.options import check_sink

        for name, table in tables.items():
            _checked(check_sink, table, f"{path}: sinks.{name}")
            for key in ("api_url", "addr"):  # the github and vault sinks' endpoints
                if isinstance(table.get(key), str):
                    _url(table[key], f"{path}: sinks.{name}: {key}")
    return tables


def _notify(tables: Any, path: Path) -> list[dict[str, Any]]:
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{path}: 'notify' must be an array of tables ([[notify]])")
    if tables:
        from revoker.options import check_notifier

        for n, table in enumerate(tables):
            _checked(check_notifier, table, f"{path}: notify[{n}]")
    return tables


def _checked(check: Callable[[Any], object], value: Any, where: str) -> None:
    """Run one of the revoker's checks on a table or URL; its complaint names file and key."""
    from revoker.errors import RevokerError

    try:
        check(value)
    except (ValueError, RevokerError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _url(url: str, where: str) -> None:
    """A key-service or delivery URL: HTTPS (plain HTTP only to loopback), named if not."""
    from revoker.urls import check_url

    _checked(check_url, url, where)


def _state(value: Any, path: Path) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: state: a file path or a postgresql:// URL")
    if "://" in value:
        return value
    return str(path.parent / value)  # a file, beside the config


def _lease(value: Any, path: Path) -> float:
    from leakbot.settings import duration

    try:
        return duration(value, "lease")
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _bot(doc: Mapping[str, Any], path: Path) -> tuple[list[Target], Serve]:
    from leakbot import settings

    tables = doc.get("targets", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: 'targets' must be an array of tables ([[targets]])")
    try:
        targets = [settings.target(t, n) for n, t in enumerate(tables)]
        serve = settings.serve(doc.get("serve", {}))
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    names = [t.name for t in targets]
    twice = [n for n in names if names.count(n) > 1]
    if twice:
        raise ConfigError(f"{path}: targets: two targets named {twice[0]!r}: give each a name")
    return targets, serve


def _strings(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return value


def _patterns(table: Mapping[str, Any], key: str, where: str) -> tuple[regex.Pattern[str], ...]:
    out = []
    for text in _strings(table, key, where):
        try:
            out.append(regex.compile(text))
        except regex.error as exc:
            raise ConfigError(f"{where}: {key}: invalid pattern {text!r}: {exc}") from None
    return tuple(out)


def _allowlist(table: Any, path: Path, index: int) -> Allowlist:
    where = f"{path}: allowlists[{index}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(table) - _ALLOW_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
    condition = table.get("condition", "any")
    if condition not in ("any", "all"):
        raise ConfigError(f"{where}: condition must be 'any' or 'all'")
    allow = Allowlist(
        description=str(table.get("description", "")),
        condition=condition,
        paths=_patterns(table, "paths", where),
        regexes=_patterns(table, "regexes", where),
        stopwords=tuple(w.lower() for w in _strings(table, "stopwords", where)),
        rules=frozenset(_strings(table, "rules", where)),
    )
    if not (allow.paths or allow.regexes or allow.stopwords):
        raise ConfigError(f"{where}: needs at least one of paths, regexes, stopwords")
    return allow
