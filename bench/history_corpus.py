"""A big git history from public material, built reproducibly with `git fast-import`.

A package's released sources (PyPI sdists, downloaded with pip) are committed version after
version, one commit per changed file, so the history holds tens of thousands of commits and
GBs of blob content. Then keys are planted where scanners miss them: a side branch, a merge
commit that adds a key itself, a commit only a tag reaches, and a file deleted again later.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from rules.examples import random_token, seeded

EPOCH = 1_600_000_000


def release_versions(package: str, count: int) -> list[str]:
    out = subprocess.run([sys.executable, "-m", "pip", "index", "versions", package],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    line = next(ln for ln in out.splitlines() if ln.startswith("Available versions:"))
    versions = [v.strip() for v in line.split(":", 1)[1].split(",")]
    final = list(reversed([v for v in versions if v.replace(".", "").isdigit()]))  # oldest first
    if count >= len(final):
        return final
    step = (len(final) - 1) / (count - 1)
    return [final[round(i * step)] for i in range(count)]  # spread over the whole history


def download(package: str, versions: list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for version in versions:
        found = [
            p
            for p in folder.iterdir()
            if f"-{version}." in p.name and package.lower() in p.name.lower()
        ]
        if not found:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                            "--no-binary", ":all:", "-d", str(folder), f"{package}=={version}"],
                           check=True)  # fmt: skip
            found = [p for p in folder.iterdir() if f"-{version}." in p.name]
        files.append(found[0])
    return files


def read_sdist(path: Path) -> dict[str, bytes]:
    """path inside the release (top folder stripped) -> content."""
    out = {}
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    out[info.filename.split("/", 1)[-1]] = zf.read(info)
        return out
    with tarfile.open(path) as tf:
        for member in tf.getmembers():
            if member.isfile():
                fh = tf.extractfile(member)
                if fh is not None:
                    out[member.name.split("/", 1)[-1]] = fh.read()
    return out


class FastImport:
    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.mark = 0
        self.time = EPOCH

    def blob(self, data: bytes) -> int:
        self.mark += 1
        self.buf.write(b"blob\nmark :%d\ndata %d\n" % (self.mark, len(data)) + data + b"\n")
        return self.mark

    def commit(self, ref: str, message: str, changes: list[bytes], parents: list[int]) -> int:
        self.mark += 1
        self.time += 60
        msg = message.encode()
        head = (b"commit %s\nmark :%d\nauthor Bench <bench@example.org> %d +0000\n"
                b"committer Bench <bench@example.org> %d +0000\ndata %d\n%s\n")  # fmt: skip
        self.buf.write(head % (ref.encode(), self.mark, self.time, self.time, len(msg), msg))
        if parents:
            self.buf.write(b"from :%d\n" % parents[0])
            for other in parents[1:]:
                self.buf.write(b"merge :%d\n" % other)
        for change in changes:
            self.buf.write(change)
        self.buf.write(b"\n")
        return self.mark

    def modify(self, path: str, data: bytes) -> bytes:
        return b"M 100644 :%d %s\n" % (self.blob(data), _quote(path))


def _quote(path: str) -> bytes:
    raw = path.encode("utf-8", "surrogateescape")
    if any(c in raw for c in b'"\n\\') or raw.startswith(b'"'):
        raw = b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n") + b'"'
    return raw


def build(repo: Path, sdists: list[Path], package: str) -> dict[str, str]:
    """Write the history into a new repository; returns planted keys by where they hide."""
    rng = seeded(f"bench-history-{package}")
    fi = FastImport()
    previous: dict[str, bytes] = {}
    head = 0
    planted: dict[str, str] = {}
    for n, sdist in enumerate(sdists):
        files = read_sdist(sdist)
        version = sdist.name
        for path in sorted(files):
            if previous.get(path) != files[path]:
                head = fi.commit("refs/heads/main", f"{version}: {path}",
                                 [fi.modify(path, files[path])], [head] if head else [])  # fmt: skip
        gone = sorted(set(previous) - set(files))
        if gone:
            deletes = [b"D %s\n" % _quote(p) for p in gone]
            head = fi.commit(
                "refs/heads/main", f"{version}: remove {len(gone)} files", deletes, [head]
            )
        fi.buf.write(b"reset refs/tags/r%d\nfrom :%d\n\n" % (n, head))
        previous = files
        if n == len(sdists) // 3:
            key = random_token(rng, "dh_live_", 32)
            planted["deleted-later"] = key
            head = fi.commit("refs/heads/main", "add config", [fi.modify("deploy/devhelm.env",
                             f"DEVHELM_API_TOKEN={key}\n".encode())], [head])  # fmt: skip
            head = fi.commit(
                "refs/heads/main", "remove config", [b"D deploy/devhelm.env\n"], [head]
            )
        if n == len(sdists) // 2:
            key = random_token(rng, "sk_live_", 40)
            planted["side-branch"] = key
            fi.commit("refs/heads/side", "side work", [fi.modify("side/helios.env",
                      f"HELIOS_API_KEY={key}\n".encode())], [head])  # fmt: skip
            key = random_token(rng, "dh_live_", 32)
            planted["tag-only"] = key
            fi.commit("refs/tags/hidden", "tagged only", [fi.modify("hidden/diffhook.env",
                      f"DIFFHOOK_API_KEY={key}\n".encode())], [head])  # fmt: skip
            feature = fi.commit(
                "refs/heads/feature", "feature", [fi.modify("feature.txt", b"f\n")], [head]
            )
            key = random_token(rng, "dh_live_", 40)
            planted["merge-commit"] = key
            head = fi.commit("refs/heads/main", "merge feature", [fi.modify("merge/devhelm.env",
                             f"DEVHELM_API_TOKEN={key}\n".encode())], [head, feature])  # fmt: skip
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=fi.buf.getvalue(), check=True
    )
    subprocess.run(["git", "-C", str(repo), "repack", "-a", "-d", "-q", "--window=50"], check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)
    return planted
