"""Benchmark: a real package's history (tens of thousands of commits) scanned by leakbot git,
gitleaks git and kingfisher scan with the same vendor rules, validation off; then a pre-commit
check of one staged change in the same repository.

    pip install -e '.[bench]'
    python -m bench.git_history                 # --package django --versions 24 --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.export_rules import write as write_rules
from bench.history_corpus import build, download, release_versions
from bench.measure import (
    available,
    engines_agree,
    print_table,
    run_tools,
    same_as_last_run,
    user_env,
)


def _corpus(work: Path, package: str, versions: int) -> tuple[Path, dict[str, str]]:
    repo = work / f"{package}-{versions}.git-history"
    marker = repo / ".git" / "leakbot-bench.json"
    if marker.exists():
        return repo, json.loads(marker.read_text())
    names = release_versions(package, versions)
    sdists = download(package, names, work / "sdists" / package)
    planted = build(repo, sdists, package)
    marker.write_text(json.dumps(planted))
    return repo, planted


def _describe(repo: Path) -> str:
    commits = subprocess.run(["git", "-C", str(repo), "rev-list", "--all", "--count"],
                             capture_output=True, text=True).stdout.strip()  # fmt: skip
    size = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch-all-objects",
                           "--batch-check=%(objecttype) %(objectsize)"],
                          capture_output=True, text=True).stdout  # fmt: skip
    blob_bytes = sum(int(s) for t, s in (ln.split() for ln in size.splitlines()) if t == "blob")
    return f"{commits} commits, {blob_bytes / 2**20:.0f} MB of unique blob content"


def _staged(repo: Path, rules: Path, runs: int, tools: list[str]) -> None:
    target = next(p for p in sorted(repo.rglob("*.py")) if ".git" not in p.parts)
    original = target.read_bytes()
    target.write_bytes(original + b"\n# a staged change\nTIMEOUT = 30\n")
    subprocess.run(["git", "-C", str(repo), "add", str(target)], check=True)
    commands = {
        "leakbot": ["leakbot", "git", str(repo), "--staged", "-q"],
        "gitleaks": ["gitleaks", "git", str(repo), "--staged", "--pre-commit", "--no-banner",
                     "--log-level", "error", "--config", str(rules)],
        "kingfisher": ["kingfisher", "scan", str(repo), "--staged", "--rules-path", str(rules),
                       "--load-builtins", "false", "--no-validate", "-q", "--no-update-check"],
    }  # fmt: skip
    print("\none staged change (median wall time of", runs, "runs, after one to warm up):")
    env = user_env()
    try:
        for tool, argv in commands.items():
            if tool not in tools or not available(tool):
                continue
            subprocess.run(argv, capture_output=True, env=env)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                subprocess.run(argv, capture_output=True, env=env)
                times.append(time.perf_counter() - started)
            print(f"  {tool:<12}{statistics.median(times) * 1000:>8.0f} ms")
    finally:
        subprocess.run(["git", "-C", str(repo), "reset", "-q", str(target)], check=True)
        target.write_bytes(original)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--package", default="django")
    parser.add_argument("--versions", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default="bench/work")
    parser.add_argument("--tools", default="leakbot,kingfisher,gitleaks")
    args = parser.parse_args(argv)

    work = Path(args.work).resolve()
    repo, planted = _corpus(work, args.package, args.versions)
    print(f"corpus: {repo} ({_describe(repo)}; {len(planted)} planted keys)")
    out = Path(tempfile.mkdtemp(prefix="leakbot-bench-"))
    rules = write_rules(out / "leakbot-rules.toml")
    commands = {
        "leakbot": (["leakbot", "git", str(repo), "--format", "json", "-o", str(out / "lb.json"),
                     "-q", "--state", str(out / "state.db")], out / "lb.json", "findings"),
        "kingfisher": (["kingfisher", "scan", str(repo), "--rules-path", str(rules),
                        "--load-builtins", "false", "--no-validate", "-q", "--no-update-check",
                        "-f", "json", "-o", str(out / "kf.json")], out / "kf.json", "findings"),
        "gitleaks": (["gitleaks", "git", str(repo), "--config", str(rules), "--no-banner",
                      "--log-level", "error", "--report-path", str(out / "gl.json")],
                     out / "gl.json", None),
        # The floor under any history scan: what reading every object once costs git itself.
        "cat-file": (["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--batch",
                      "--unordered"], out / "none", None),
    }  # fmt: skip
    results = run_tools(commands, f"{args.tools},cat-file", args.runs, timeout=5400)
    lb = json.loads((out / "lb.json").read_text()) if (out / "lb.json").exists() else {"stats": {}}
    print("(cat-file: git cat-file --batch-all-objects --batch --unordered, the floor)")
    print_table(results, lb["stats"].get("bytes", 0))
    ok = "leakbot" not in args.tools
    if (out / "lb.json").exists():
        ok = same_as_last_run(f"history-{args.package}-{args.versions}", out / "lb.json", work)
        ok &= engines_agree(["leakbot", "git", str(repo), "--state", str(out / "engines.db")],
                              out)  # fmt: skip
    from scanner.finding import sha256_hex

    found = {f["secret_sha256"] for f in lb.get("findings", [])}
    for where, key in planted.items():
        hit = sha256_hex(key.encode()) in found
        ok &= hit or "leakbot" not in args.tools
        print(f"  planted {where:<14} {'found' if hit else 'MISSED'}")
    _staged(repo, rules, runs=5, tools=args.tools.split(","))
    return 0 if ok else 1  # findings that changed fail the run, after every figure is out


if __name__ == "__main__":
    raise SystemExit(main())
