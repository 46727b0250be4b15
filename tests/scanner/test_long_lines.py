"""Long lines: `leakbot:allow` counts on the key's own line only, whatever the line's length, and
locations of many keys on one line are exact (counted in one pass, not once per key)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leakbot.cli import main
from rules import builtin_rules
from scanner.engine import Engine, allowed_lines
from scanner.fragment import Fragment
from scanner.sources.stream import fragments


def _scan(data: bytes, engine_name: str = "regex") -> list:
    engine = Engine(builtin_rules(), engine_name)
    return engine.scan(Fragment(data, "min.js"))


def test_a_mark_on_another_line_never_hides_a_key_on_a_long_line(keys, engine_name):
    key = keys.rand("dh_live_", 32)
    long_before = b"// leakbot:allow\n" + b"x=1;" * 2000 + f" DEVHELM_API_TOKEN={key}\n".encode()
    long_after = f"DEVHELM_API_TOKEN={key} ".encode() + b"y=2;" * 2000 + b"\n# leakbot:allow\n"
    for data in (long_before, long_after):
        assert len(_scan(data, engine_name)) == 1


def test_a_mark_far_away_on_the_same_line_still_counts(keys, engine_name):
    key = keys.rand("dh_live_", 32)
    data = b"a\n/* leakbot:allow */" + b"z=3;" * 5000 + f"DEVHELM_API_TOKEN='{key}'\nb\n".encode()
    assert _scan(data, engine_name) == []


def test_allowed_lines_are_the_marked_lines():
    data = b"one\ntwo leakbot:allow leakbot:allow\nthree\nleakbot:allow"
    assert allowed_lines(data) == [(4, 35), (42, 55)]
    assert allowed_lines(b"nothing here") == []


def test_thousands_of_keys_on_one_line_are_all_found_at_their_columns(tmp_path, keys, capsys):
    values = [keys.rand("dh_live_", 32) for _ in range(2000)]
    pieces, columns, column = [], [], 1
    for value in values:
        piece = f'e=1;headers["DEVHELM_API_TOKEN"]="{value}";'
        columns.append(column + piece.index("dh_live_"))
        column += len(piece)
        pieces.append(piece)
    (tmp_path / "bundle.min.js").write_text("".join(pieces) + "\n")
    assert main(["scan", str(tmp_path), "--format", "json", "-q", "-j", "1"]) == 1
    import json

    found = json.loads(capsys.readouterr().out)["findings"]
    assert sorted(f["column"] for f in found) == columns
    assert {f["line"] for f in found} == {1}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b"\n", "é".encode(), b"\xff", b"k"]), max_size=300),
    st.integers(min_value=1, max_value=64),
)
def test_locations_in_one_pass_equal_one_at_a_time(pieces, chunk):
    """Every fragment a stream is cut into (lines longer than the fragment included)."""
    data = b"".join(pieces)
    stream = iter([data[i : i + chunk] for i in range(0, len(data), chunk)])

    def read(_n: int) -> bytes:
        return next(stream, b"")

    for fragment in fragments(read, "f", chunk=chunk):
        ascii_starts = [i for i, byte in enumerate(fragment.data) if byte in b"ak"]
        together = fragment.locations(ascii_starts)
        assert together == {pos: fragment.location(pos) for pos in ascii_starts}
