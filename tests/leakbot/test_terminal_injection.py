"""File names are shown, never obeyed: control characters in a name are escaped visibly in the
text report, the notes on stderr and the Action's annotations."""

from __future__ import annotations

from leakbot.ci import annotation
from leakbot.cli import main
from scanner.finding import printable, printable_path

EVIL = "x\x1b]0;owned\x07\r\n0 findings, all clean\x1b[2K\u202e.env"


def _controls(text: str) -> set[str]:
    return {
        c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"
    }


def test_a_file_name_cannot_forge_report_lines_or_retitle_the_window(tmp_path, keys, capsys):
    (tmp_path / EVIL).write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    (tmp_path / f"dangling{EVIL}").symlink_to(tmp_path / "gone")
    assert main(["scan", str(tmp_path), "-j", "1", "--color", "never"]) == 1
    out = capsys.readouterr()
    assert _controls(out.out) == set() and _controls(out.err) == set()
    lines = out.out.splitlines()
    assert len(lines) == 2 and "\\x1b]0;owned\\x07\\r\\n0 findings" in lines[0]
    assert "broken symlink" in out.err and "\\x1b" in out.err


def test_printable_escapes_every_control_and_keeps_the_rest():
    assert printable("a\tb\nc\x00d\x7f\x9b") == "a\\tb\\nc\\x00d\\x7f\\x9b"
    assert printable("café ✓ näive") == "café ✓ näive"
    assert printable_path("bad-\udcff.env") == "bad-\ufffd.env"


def test_annotations_carry_no_control_characters(tmp_path, keys, capsys):
    (tmp_path / EVIL).write_text(f"DEVHELM_API_TOKEN={keys.rand('dh_live_', 32)}\n")
    assert main(["scan", str(tmp_path), "--format", "json", "-q"]) == 1
    import json

    from scanner.finding import Finding

    finding = Finding.from_dict(json.loads(capsys.readouterr().out)["findings"][0])
    line = annotation(finding)
    assert _controls(line) == set() and "\n" not in line
