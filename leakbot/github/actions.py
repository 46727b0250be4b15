"""GitHub Actions run logs as a log source: for each repository, the workflow runs completed
since the last one scanned (a cursor per repository: the highest run id, and the ids still in
progress), each run's log archive fetched through GitHub's short-lived link and every text file
in it scanned as a log. The token goes to the API only: the archive's link points at another
host and is fetched without it. An archive that would inflate past MAX_INFLATED is not read."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from leakbot.github.api import GitHubAPI, GitHubError

MAX_ARCHIVE = 256 << 20  # bytes downloaded for one run's logs
MAX_INFLATED = 1 << 30  # and what they may inflate to (a zip bomb is refused)
PAGES = 3  # runs newer than the cursor are looked for on at most this many pages of 100


@dataclass
class Cursor:
    after: int = 0  # every run up to this id is scanned, but for `pending`
    pending: list[int] = field(default_factory=list)  # runs that were still in progress

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        try:
            doc = json.loads(text or "{}")
            return cls(int(doc.get("after", 0)), [int(i) for i in doc.get("pending", [])])
        except (ValueError, TypeError, AttributeError):
            return cls()

    def dump(self) -> str:
        return json.dumps({"after": self.after, "pending": sorted(self.pending)})


def new_runs(api: GitHubAPI, full_name: str, cursor: Cursor) -> tuple[list[int], Cursor]:
    """Completed runs not scanned yet (oldest first), and the cursor once they are."""
    url: str | None = f"{api.base_url.rstrip('/')}/repos/{full_name}/actions/runs?per_page=100"
    runs: list[dict[str, Any]] = []
    for _ in range(PAGES):
        if url is None:
            break
        answer = api.get(url)
        try:
            page = answer.json()["workflow_runs"]
        except (ValueError, KeyError, TypeError):
            raise GitHubError(f"GitHub: {full_name}: a list of runs not as documented") from None
        runs.extend(r for r in page if isinstance(r, dict) and isinstance(r.get("id"), int))
        if any(r["id"] <= cursor.after for r in page):
            break
        url = api.next_page(answer)
    fresh = [r for r in runs if r["id"] > cursor.after or r["id"] in cursor.pending]
    done = sorted(r["id"] for r in fresh if r.get("status") == "completed")
    waiting = [r["id"] for r in fresh if r.get("status") != "completed"]
    top = max([cursor.after, *(r["id"] for r in fresh)])
    return done, Cursor(top, waiting)


def archive(api: GitHubAPI, full_name: str, run_id: int) -> bytes:
    """A run's log archive: the API answers 302 to a link valid a minute, fetched with no token."""
    url = f"{api.base_url.rstrip('/')}/repos/{full_name}/actions/runs/{run_id}/logs"
    answer = api.get(url, redirect_ok=True)
    link = answer.headers.get("location", "")
    if answer.status_code != 302 or not link.startswith(("https://", "http://")):
        raise GitHubError(f"GitHub: {full_name}: run {run_id}: no link to its logs")
    chunks, size = [], 0
    try:
        with api.client.stream("GET", link, headers={}, follow_redirects=False) as blob:
            if not blob.is_success:
                raise GitHubError(
                    f"GitHub: {full_name}: run {run_id}: logs HTTP {blob.status_code}"
                )
            for chunk in blob.iter_bytes():
                size += len(chunk)
                if size > MAX_ARCHIVE:
                    raise GitHubError(f"GitHub: {full_name}: run {run_id}: logs over "
                                      f"{MAX_ARCHIVE >> 20} MB: not read")  # fmt: skip
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise GitHubError(f"GitHub: {full_name}: run {run_id}: {type(exc).__name__}") from None
    return b"".join(chunks)


def log_files(data: bytes, where: str) -> Iterator[tuple[str, Any]]:
    """(name, open member) for each file of a run's archive; GitHubError for a damaged one or
    one that would inflate past MAX_INFLATED."""
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in zipped.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError):
        raise GitHubError(f"{where}: the log archive is damaged") from None
    if sum(m.file_size for m in members) > MAX_INFLATED:
        raise GitHubError(f"{where}: the log archive would inflate past {MAX_INFLATED:,} bytes")
    for member in members:
        with zipped.open(member) as handle:
            yield member.filename, handle
