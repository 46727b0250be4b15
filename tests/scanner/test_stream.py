"""Cutting streams into fragments: keys on a cut are found once, lines and columns stay exact."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import builtin_rules
from scanner import pipeline
from scanner.engine import Engine
from scanner.fragment import Fragment
from scanner.pipeline import run_scan
from scanner.sources import files
from scanner.sources.stream import fragments

ENGINE = Engine(builtin_rules())


def _stream_scan(data: bytes, chunk: int) -> list[tuple[int, int, str]]:
    out = []
    for fragment in fragments(io.BytesIO(data).read, "x.log", chunk=chunk):
        out += [(f.line, f.column, f.secret_sha256) for f in ENGINE.scan(fragment)]
    return out


def _whole_scan(data: bytes) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.secret_sha256) for f in ENGINE.scan(Fragment(data, "x.log"))]


@pytest.mark.parametrize("chunk", [4097, 5000, 65536])
def test_chunked_scan_equals_whole_scan(keys, chunk):
    lines = []
    for i in range(3000):
        if i % 97 == 0:
            lines.append(f"ts={i} DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)} ok")
        else:
            lines.append(f"ts={i} INFO nothing to see here {'x' * (i % 50)}")
    data = "\n".join(lines).encode()
    whole = _whole_scan(data)
    assert len(whole) == len(range(0, 3000, 97))
    assert _stream_scan(data, chunk) == whole


def test_single_huge_line_is_cut_without_losing_keys(keys):
    key_a, key_b = keys.rand("dh_live_", 32), keys.rand("dh_live_", 32)
    data = (b"a=1;" * 10000 + f"DEVHELM_API_TOKEN={key_a};".encode() + b"b=2;" * 20000
            + f"devhelm_token='{key_b}'".encode())  # fmt: skip
    got = _stream_scan(data, 4097)
    assert got == _whole_scan(data)
    assert [line for line, _, _ in got] == [1, 1]
    assert got[0][1] == 40000 + len("DEVHELM_API_TOKEN=") + 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=4097, max_value=9000), pad=st.integers(0, 4000))
def test_key_across_any_cut_found_once(keys, cut, pad):
    key = keys.rand("dh_live_", 40)
    data = b"x" * pad + b"\n" * 3 + f"export DEVHELM_API_TOKEN={key}\n".encode() + b"y" * 9000
    assert _stream_scan(data, cut) == _whole_scan(data)


def test_split_ranges_give_exact_line_numbers(tmp_path, keys, monkeypatch):
    monkeypatch.setattr(files, "SPLIT", 64 << 10)
    lines = [f"line {i} DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}" if i % 500 == 7
             else f"line {i} filler {'z' * 60}" for i in range(20000)]  # fmt: skip
    path = tmp_path / "big.log"
    path.write_text("\n".join(lines) + "\n")
    tasks, _ = files.plan([str(path)])
    assert len(tasks) > 10
    monkeypatch.setattr(pipeline, "INLINE_BYTES", 0)  # jobs=2 really uses the pool
    engine = Engine(builtin_rules())
    for jobs in (1, 2):
        result = run_scan(engine, [str(path)], jobs=jobs)
        assert [f.line for f in result.findings] == [i + 1 for i in range(20000) if i % 500 == 7]
        assert result.stats.files == 1 and result.stats.bytes == path.stat().st_size


def _shape(fragment: Fragment) -> tuple[object, ...]:
    f = fragment
    return (f.data, f.own_start, f.own_end, f.line_at_own_start, f.line_start_offset, f.offset,
            f.owned_newlines)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.integers(0, 12000), min_size=1, max_size=40),
    chunk=st.integers(min_value=4097, max_value=20000),
    cut=st.floats(0, 1),
    bounded=st.booleans(),
)
def test_reading_by_position_gives_the_same_fragments(lines, chunk, cut, bounded):
    """A plain file read by position (one read per fragment, overlap re-read) is cut exactly
    like the same bytes read as a stream, for a whole file and for a range of one."""
    data = b"".join(b"w" * n + b"\n" for n in lines)
    start = int(len(data) * cut) if bounded else 0
    limit = min(len(data), start + chunk * 2) if bounded else None
    left = data[max(0, start - 4096) : start]

    def stream() -> list[tuple[object, ...]]:
        read = io.BytesIO(data[start:]).read
        return [_shape(f) for f in fragments(read, "x", start=start, limit=limit,
                                             left_context=left, chunk=chunk)]  # fmt: skip

    def by_position() -> list[tuple[object, ...]]:
        def read_at(offset: int, size: int) -> bytes:
            return data[offset : offset + size]

        def no_stream(_n: int) -> bytes:
            raise AssertionError("read by position only")

        return [_shape(f) for f in fragments(no_stream, "x", start=start, limit=limit,
                                             left_context=left, chunk=chunk,
                                             read_at=read_at)]  # fmt: skip

    assert by_position() == stream()


def test_lines_counted_only_where_a_finding_needs_them(tmp_path, keys):
    """A 20 MB log read in three fragments, keys in the first and last only: the lines of the
    fragment between are counted by reading it again, and every line number is exact."""
    filler = b"2026-12-02T10:00:00Z INFO request served in 12 ms status=200\n"
    per_mb = (1 << 20) // len(filler)
    wanted = {7, 3 * per_mb, 17 * per_mb + 5, 19 * per_mb}  # line index (0-based)
    path = tmp_path / "app.log"
    with open(path, "wb") as fh:
        for i in range(20 * per_mb):
            if i in wanted:
                fh.write(f"user=7 DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n".encode())
            else:
                fh.write(filler)
    result = run_scan(Engine(builtin_rules()), [str(path)], jobs=1)
    assert [f.line for f in result.findings] == sorted(i + 1 for i in wanted)
