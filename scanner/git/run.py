"""Running git: one place for the environment, errors, and questions about a repository.

Which git is used where: everything that reads a repository — revisions, ref tips, the log,
blobs — runs git's plumbing here (`rev-parse`, `for-each-ref`, `log --raw`, `cat-file --batch`),
streamed and checked for lost work, and starts in a few ms (the commit hook). Cloning and
fetching mirrors of URL targets goes through GitPython (`scanner.git.remote`)."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import ScanError
from scanner.finding import printable
from scanner.result import ScanResult

# Never prompt, never page, never fetch a missing object from a promisor remote behind our back.
GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_NO_LAZY_FETCH": "1",
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
}


def git_env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def git(repo: str, *args: str, check: bool = True, input: bytes | None = None) -> bytes:
    """Run `git -C repo args...`; raise ScanError with git's own first line on failure."""
    try:
        proc = subprocess.run(
            ["git", "-C", repo, *args], input=input, capture_output=True, env=git_env()
        )
    except FileNotFoundError:
        raise ScanError("git is not installed or not on PATH") from None
    if check and proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ScanError(f"{repo}: git {args[0]} failed: {first[0] if first else proc.returncode}")
    return proc.stdout


def popen(repo: str, *args: str, stdin: int | None = None, bufsize: int = -1
          ) -> subprocess.Popen[bytes]:  # fmt: skip
    return subprocess.Popen(
        ["git", "-C", repo, *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=git_env(),
        bufsize=bufsize,
    )


ALL = "--all"  # every ref: the one revision option leakbot passes itself


def revision_args(revisions: list[str]) -> list[str]:
    """Revisions for `git log`: `--all` stays an option; everything else must be a resolved
    commit (`sha`, `^sha`, `a..b`) and goes after `--end-of-options`, so nothing from a flag, a
    payload or a config is ever read as an option."""
    named = [r for r in revisions if r != ALL]
    if any(r.startswith("-") for r in named):
        raise ScanError(f"not a revision: {printable(next(r for r in named if r[0] == '-'))!r}")
    options = [ALL] if ALL in revisions else []
    return [*options, "--end-of-options", *named] if named else options


def ignored_by_git(paths: list[str]) -> set[str]:
    """Which of these files the .gitignore of their work tree ignores (`git check-ignore`, one
    call per work tree; paths outside any, or git missing, are ignored by nothing)."""
    by_tree: dict[str, list[str]] = {}
    for path in paths:
        tree = work_tree_of(os.path.abspath(path))
        if tree is not None:
            by_tree.setdefault(tree, []).append(path)
    out: set[str] = set()
    for tree, files in by_tree.items():
        listing = b"\0".join(os.fsencode(os.path.abspath(f)) for f in files) + b"\0"
        try:
            proc = subprocess.run(["git", "-C", tree, "check-ignore", "-z", "--stdin"],
                                  input=listing, capture_output=True, env=git_env())  # fmt: skip
        except FileNotFoundError:
            return set()
        ignored = {os.fsdecode(p) for p in proc.stdout.split(b"\0") if p}
        out.update(f for f in files if os.path.abspath(f) in ignored)
    return out


def work_tree_of(path: str) -> str | None:
    """The root of the git work tree holding the file `path` (the folder with `.git` in it), found
    without running git; None outside any."""
    for folder in Path(path).parents:
        if (folder / ".git").exists():
            return str(folder)
    return None


def finished(proc: subprocess.Popen[bytes], what: str) -> str | None:
    """Wait for a git child whose stdout was read to the end: None if it succeeded, else what
    went wrong (its first line on stderr, escaped for a terminal), for the scan's report."""
    err = proc.stderr.read() if proc.stderr is not None else b""
    code = proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()
    if code == 0:
        return None
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return f"{what} failed: {printable(lines[0]) if lines else f'exit {code}'}"


_SHA = re.compile(rb"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class Repo:
    path: str  # what the user named, for messages
    git_dir: str  # absolute: the identity of the repository in the state database

    def run(self, *args: str, check: bool = True, input: bytes | None = None) -> bytes:
        return git(self.path, *args, check=check, input=input)

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"

    def is_partial(self) -> bool:
        pattern = r"^(extensions\.partialclone|remote\..*\.promisor)$"
        out = self.run("config", "--get-regexp", pattern, check=False)  # fmt: skip
        return bool(out.strip())

    def commit(self, revision: str, what: str = "revision") -> str:
        """The full sha of the commit `revision` names, checked by git (never read as an
        option); ScanError naming the revision if this repository has no such commit."""
        out = b""
        if "\0" not in revision:  # a NUL cannot be passed to a child at all
            spec = f"{revision}^{{commit}}"
            out = self.run("rev-parse", "--verify", "-q", "--end-of-options", spec, check=False)
        if not _SHA.fullmatch(out.strip()):
            raise ScanError(f"{self.path}: {what} {printable(revision)!r} is not a commit here"
                            " (a shallow clone, or not fetched?)")  # fmt: skip
        return out.strip().decode()

    def has_commit(self, revision: str) -> bool:
        try:
            self.commit(revision)
        except ScanError:
            return False
        return True

    def work_tree(self) -> str | None:
        """The checkout's root folder, None for a bare repository (a mirror)."""
        out = self.run("rev-parse", "--show-toplevel", check=False).strip()
        return out.decode("utf-8", "surrogateescape") or None

    def result(self) -> ScanResult:
        """An empty result whose paths are this repository's (for SARIF locations)."""
        return ScanResult(repo_paths=True, root=self.work_tree())

    def has_commits(self) -> bool:
        return bool(self.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip())

    def ref_tips(self) -> dict[str, str]:
        """Every ref (branches, tags, remotes, stash) and the commit it points at."""
        out = self.run("for-each-ref", "--format=%(objectname) %(*objectname) %(refname)")
        tips = {}
        for line in out.decode("utf-8", "surrogateescape").splitlines():
            sha, peeled, name = line.split(" ", 2)
            tips[name] = peeled or sha
        return tips

    def refs_containing(self, commit: str) -> list[str]:
        out = self.run("for-each-ref", f"--contains={commit}", "--format=%(refname)", check=False)
        return out.decode("utf-8", "surrogateescape").splitlines()


def open_repo(path: str) -> Repo:
    if not Path(path).exists():
        raise ScanError(f"{path}: no such file or directory")
    proc = subprocess.run(["git", "-C", path, "rev-parse", "--absolute-git-dir"],
                          capture_output=True, env=git_env())  # fmt: skip
    if proc.returncode != 0:
        raise ScanError(f"{path}: not a git repository")
    return Repo(path, proc.stdout.decode("utf-8", "surrogateescape").strip())
