"""The placeholder filter loses no random key to chance, and still drops what people write."""

from __future__ import annotations

import pytest

from scanner.filters import looks_real


def test_no_random_key_is_taken_for_a_placeholder(keys):
    """A random 32-character body spells `yOuR` or `xXxx` about once in 15,000 keys: 40,000 of
    them (the benchmark's minified bundle lost two in 19,379 this way) all stay keys."""
    lost = [k for k in (keys.rand("dh_live_", 32) for _ in range(40_000))
            if not looks_real(k.encode(), 3.0)]  # fmt: skip
    assert lost == []


@pytest.mark.parametrize("word", ["yOuR", "your", "XxXx", "DuMmY", "xxxx"])
def test_a_word_inside_a_random_body_does_not_drop_it(keys, word):
    body = keys.rand("", 32 - len(word))
    assert looks_real(f"dh_live_{body[:9]}{word}{body[9:]}".encode(), 3.0)


@pytest.mark.parametrize("value", ["dh_live_your_devhelm_token_here", "dh_live_YOUR_TOKEN_1234",
                                   "dh_live_xxxx_xxxx_xxxx_xxxx", "your-devhelm-token-9Qw2",
                                   "dh_live_dummyToken42abcQ", "dh_live_REPLACE_ME_2b7Qz",
                                   "dh_live_Xy7example9Qw2Lk4"])  # fmt: skip
def test_placeholders_people_write_are_still_dropped(value):
    assert not looks_real(value.encode(), 3.0)
