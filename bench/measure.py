"""Run a command, measure its wall time and peak memory (RSS of the process tree's largest member)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    tool: str
    seconds: float
    peak_mb: float
    exit_code: int
    findings: int | None = None


def measure(tool: str, argv: list[str], *, cwd: str | None = None, timeout: float = 3600) -> Run:
    """Wall time and the largest peak RSS (VmHWM) of any process in the tool's tree, sampled
    while it runs: ru_maxrss would also count what a forked child inherited from this process
    before exec (a benchmark that has just read a big report would inflate the next tool)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=user_env())  # fmt: skip
    deadline = started + timeout
    peak = 0
    while True:
        peak = max(peak, tree_peak_kb(proc.pid))
        pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, _usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        proc.stderr.close()
    return Run(tool, seconds, peak / 1024, proc.returncode)


def tree_peak_kb(root: int) -> int:
    """The largest VmHWM among `root` and its descendants alive now (Linux /proc)."""
    peak, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
        stack.extend(int(c) for c in children)
    return peak


def user_env() -> dict[str, str]:
    """The environment as on a user's machine, where Python caches bytecode (a CI image or a
    container may say not to, and leakbot would then compile its sources on every start)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@functools.cache
def compile_leakbot() -> None:
    """Byte-compile leakbot's packages once, as `pip install` does, before anything is timed."""
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("rules", "scanner", "revoker", "leakbot"):
        compileall.compile_dir(str(root / package), quiet=1)


def available(tool: str) -> bool:
    return shutil.which(tool) is not None


def print_table(results: list[Run], size_bytes: int, reference: str = "leakbot") -> None:
    ref = next((r for r in results if r.tool == reference), None)
    print(f"{'tool':<12}{'wall s':>9}{'MB/s':>9}{'peak MB':>9}{'findings':>10}{'x leakbot':>11}")
    for r in results:
        rate = size_bytes / (1 << 20) / r.seconds if r.seconds else 0.0
        ratio = f"{r.seconds / ref.seconds:.2f}" if ref and ref.seconds else "-"
        found = "-" if r.findings is None else str(r.findings)
        print(f"{r.tool:<12}{r.seconds:>9.2f}{rate:>9.0f}{r.peak_mb:>9.0f}{found:>10}{ratio:>11}")
    if ref:
        for r in results:
            if r.tool != reference and r.seconds:
                print(f"leakbot time / {r.tool} time = {ref.seconds / r.seconds:.3f}")


Command = tuple[list[str], Path, str | None]  # argv, report file, key of its findings list


def count_findings(report: Path, key: str | None) -> int | None:
    try:
        doc = json.loads(report.read_text() or "[]")
    except (OSError, json.JSONDecodeError):
        return None
    return len(doc[key] if key else doc)


def _finding_keys(report: Path) -> list[str]:
    """Each finding as one line: rule, place, commit and the secret's digest (never the secret)."""
    doc = json.loads(report.read_text())
    return sorted(
        f"{f['rule_id']} {f['path']}:{f['line']}:{f['column']} {f.get('commit') or '-'} "
        f"{f['secret_sha256'][:16]}"
        for f in doc["findings"]
    )


def same_as_last_run(name: str, report: Path, work: Path) -> bool:
    """leakbot's findings in this run against those the last run of the benchmark kept in
    `work` (a change made for speed must not change one), then kept for the next run."""
    now = _finding_keys(report)
    kept = work / f"{name}.findings.json"
    before = json.loads(kept.read_text()) if kept.exists() else None
    work.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps(now, indent=0))
    if before is None:
        print(f"leakbot findings ({name}): {len(now)}, kept in {kept} to compare the next run")
        return True
    gone, new = sorted(set(before) - set(now)), sorted(set(now) - set(before))
    if not gone and not new:
        print(f"leakbot findings ({name}): {len(now)}, identical to the last run's")
        return True
    print(f"leakbot findings ({name}): DIFFERENT from the last run's: {len(gone)} gone, "
          f"{len(new)} new")  # fmt: skip
    for line in gone[:5]:
        print(f"  - {line}")
    for line in new[:5]:
        print(f"  + {line}")
    return False


def engines_agree(argv: list[str], out: Path) -> bool:
    """leakbot `argv` (a scan writing JSON) with Hyperscan and with the pure-regex engine: the
    same findings, one by one."""
    reports = {}
    for engine in ("hyperscan", "regex"):
        report = out / f"engine-{engine}.json"
        report.unlink(missing_ok=True)
        proc = subprocess.run([*argv, "--engine", engine, "--format", "json", "-o", str(report),
                               "-q"], check=False, env=user_env())  # fmt: skip
        if not report.exists():
            print(f"leakbot --engine {engine} wrote no report (exit {proc.returncode})")
            return False
        reports[engine] = _finding_keys(report)
    same = reports["hyperscan"] == reports["regex"]
    print(f"leakbot --engine hyperscan and --engine regex: {len(reports['hyperscan'])} and "
          f"{len(reports['regex'])} findings, {'identical' if same else 'DIFFERENT'}")  # fmt: skip
    return same


REPEAT_UNDER = 20.0  # seconds: a tool is timed again only while its runs so far took less


def run_tools(
    commands: dict[str, Command], tools: str, runs: int, timeout: float = 3600
) -> list[Run]:
    """Time each installed tool of the comma-separated list up to `runs` times, keeping its
    fastest run and what that run's report found. The runs go round by round (every tool once,
    then again), so the machine's drift over the minutes falls on all tools alike; a tool whose
    runs already took REPEAT_UNDER seconds is not run again (its noise is small beside it)."""
    compile_leakbot()
    chosen = []
    for tool in tools.split(","):
        if available(commands[tool][0][0]):
            chosen.append(tool)
        else:
            print(f"{tool}: not installed (pip install '.[bench]'), skipped", file=sys.stderr)
    best: dict[str, Run] = {}
    spent = dict.fromkeys(chosen, 0.0)
    for round_ in range(runs):
        for tool in chosen:
            if round_ and spent[tool] >= REPEAT_UNDER:
                continue
            argv, report, key = commands[tool]
            report.unlink(missing_ok=True)  # a run that writes none finds none
            run = measure(tool, argv, timeout=timeout)
            run.findings = count_findings(report, key)
            spent[tool] += run.seconds
            if tool not in best or run.seconds < best[tool].seconds:
                best[tool] = run
    return [best[t] for t in chosen]
