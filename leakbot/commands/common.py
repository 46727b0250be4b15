"""What the scanning commands share: their output options, loading the config and engine,
and the end of a scan — the pipeline's suppress/verify/record, then the report and exit code."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from leakbot import config as config_mod
from leakbot import pipeline
from leakbot.commands import add_config_and_state, store_of
from leakbot.errors import ExitCode, UsageError
from leakbot.pipeline import Where
from scanner.engine import Engine
from scanner.errors import ScanError
from scanner.finding import Finding, printable
from scanner.report import FORMATS, write_report
from scanner.result import ScanResult


def add_output_options(p: argparse.ArgumentParser) -> None:
    add_config_and_state(p)
    p.add_argument("--baseline", metavar="FILE", help="ignore findings recorded in this baseline")
    p.add_argument("--format", choices=sorted(FORMATS), default="text", help="report format")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here, not stdout")
    p.add_argument("--show-secrets", action="store_true", help="print raw secret values")
    verify_help = "ask each vendor whether found keys are live (read-only calls)"
    p.add_argument("--verify", action="store_true", help=verify_help)
    loud = p.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    loud.add_argument("-v", "--verbose", action="store_true",
                      help="also say which config, engine and rules ran, each finding an "
                           "allowlist or the baseline hid and why, and the time taken")  # fmt: skip
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    p.add_argument(
        "--engine",
        choices=["auto", "hyperscan", "regex"],
        default="auto",
        help="keyword engine (auto: Hyperscan when installed)",
    )
    p.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: cores)")


def search_dirs(paths: list[str]) -> list[Path]:
    dirs = [Path(p) for p in paths if p != "-" and Path(p).is_dir()]
    return [*dirs[:1], Path.cwd()]


def prepare(args: argparse.Namespace, paths: list[str]) -> tuple[config_mod.Config, Engine]:
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    cfg, engine = pipeline.load(args.config, search_dirs(paths), args.engine)
    if getattr(args, "verbose", False):
        args.started = time.monotonic()
        say_setup(cfg, engine)
    return cfg, engine


def say_setup(cfg: config_mod.Config, engine: Engine) -> None:
    """-v: the config files in force and what will run."""
    from scanner.matcher import hyperscan_available

    sources = ", ".join(printable(s) for s in cfg.sources) or "none (built-in defaults)"
    kind = engine.mode
    if kind == "auto":
        kind = ("auto: Hyperscan (pure regex for small inputs)" if hyperscan_available()
                else "auto: pure regex (Hyperscan is not installed)")  # fmt: skip
    mine = sum(1 for r in cfg.rules if r.user)
    print(f"leakbot: config: {sources}", file=sys.stderr)
    print(f"leakbot: engine: {kind}; {len(cfg.rules)} rules ({mine} from the config), "
          f"{len(cfg.allowlists)} allowlist(s)", file=sys.stderr)  # fmt: skip


def hint(findings: list[Finding], cfg: config_mod.Config) -> str:
    """What to do next: rotate (unless every key is verified dead), or allow a false positive."""
    dead = all((f.verification or {}).get("status") == "dead" for f in findings)
    act = ("every key above is already dead (verified): remove them from the code"
           if dead else "rotate the keys above and remove them")  # fmt: skip
    has_file = any(Path(s).name in (".leakbot.toml", "pyproject.toml") for s in cfg.sources)
    where = (
        "an allowlist to your config"
        if has_file
        else ("an allowlist to .leakbot.toml (`leakbot init` writes one)")
    )
    return f"leakbot: {act}. A false positive? Put `leakbot:allow` on its line, or add {where}."


def say_hidden(finding: Finding, why: str) -> None:
    """-v: a finding the allowlists or the baseline hid, redacted, and which did."""
    from scanner.report.text import finding_line

    print(f"leakbot: hidden by {why}: {finding_line(finding)}", file=sys.stderr)


def verify_and_record(args: argparse.Namespace, cfg: config_mod.Config, result: ScanResult,
                      where: Where) -> None:  # fmt: skip
    """Ask the vendors, then keep each verified credential in the ledger for `leakbot revoke`."""
    pipeline.verify(cfg, result.findings)
    with store_of(args, cfg) as store:
        count = pipeline.record(store.ledger, result.findings, where)
    if count and not getattr(args, "quiet", False):
        print(f"leakbot: {count} verified finding(s) kept in {store.where.shown}; "
              "`leakbot revoke` shows what it would rotate", file=sys.stderr)  # fmt: skip


def finish(args: argparse.Namespace, cfg: config_mod.Config, result: ScanResult,
           where: Where | None = None) -> int:  # fmt: skip
    """Suppress, verify (when asked), report; the exit code. `where` says how each finding
    can be read again later (default: its file, from this directory)."""
    from scanner.recover import location_of

    verbose = getattr(args, "verbose", False)
    pipeline.suppress(result, cfg, args.baseline, say_hidden if verbose else None)
    if verbose:
        _say_time(args, result)
    if getattr(args, "verify", False) and result.findings:
        verify_and_record(args, cfg, result, where or location_of)
    code = ExitCode.of(len(result.findings), len(result.incomplete))
    try:
        print_notes(result)
        _report(args, result)
    except BrokenPipeError:  # `leakbot scan | head`: the reader left; the status still tells
        _silence_stdout()
        return code
    if args.format != "text" and not args.quiet:
        from scanner.report.text import summary_line

        print(summary_line(result.findings, result.stats, len(result.incomplete)), file=sys.stderr)
    if result.findings and args.format == "text" and not args.quiet:
        print(hint(result.findings, cfg), file=sys.stderr)
    return code


def _say_time(args: argparse.Namespace, result: ScanResult) -> None:
    seconds = max(time.monotonic() - getattr(args, "started", time.monotonic()), 1e-6)
    rate = result.stats.bytes / seconds / 1e6
    print(f"leakbot: scanned in {seconds:.2f} s ({rate:.1f} MB/s)", file=sys.stderr)


def print_notes(result: ScanResult) -> None:
    """Notes, then what the scan could not do, on stderr; escaped (they hold file names)."""
    for note in result.notes:
        print(f"leakbot: {printable(note)}", file=sys.stderr)
    for problem in result.incomplete:
        print(f"leakbot: incomplete: {printable(problem)}", file=sys.stderr)


def _report(args: argparse.Namespace, result: ScanResult) -> None:
    with _output(args.output) as out:
        color = args.color == "always" or (args.color == "auto" and _is_tty(out))
        if args.format == "text" and args.quiet:
            from scanner.report.text import finding_line

            for f in result.findings:
                out.write(finding_line(f, show_secrets=args.show_secrets, color=color) + "\n")
        else:
            write_report(args.format, result, out, show_secrets=args.show_secrets, color=color)


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's last flush cannot fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _is_tty(out: TextIO) -> bool:
    return out.isatty() and not os.environ.get("NO_COLOR")


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    """stdout, or the file named by -o: written whole (rules.fileio), 0600 (it may hold
    `--show-secrets` values), never through a link planted at its temporary name."""
    if not path:
        yield sys.stdout
        sys.stdout.flush()
        return
    from rules.fileio import atomic_text

    try:
        with atomic_text(Path(path)) as fh:
            yield fh
    except OSError as exc:
        raise ScanError(f"{path}: cannot write report: {exc.strerror}") from None


def plan_line(row: Any, decision: Any) -> None:
    """A ledger row and what will be done about it, as `leakbot revoke` lists them."""
    print(f"#{row.id:<4} {row.vendor:<9} {row.preview:<28} {printable(row.place)}\n"
          f"      {decision.action}: {decision.reason}")  # fmt: skip
