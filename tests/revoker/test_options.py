"""The option tables the config is checked against match what the sinks and notifiers take."""

from __future__ import annotations

import inspect

import pytest

from revoker import notify, sinks
from revoker.options import NOTIFIERS, SINKS, check_notifier, check_sink


def _taken(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    params = [p for p in inspect.signature(cls).parameters.values()
              if p.name not in ("name", "client")]  # fmt: skip
    required = tuple(p.name for p in params if p.default is inspect.Parameter.empty)
    return required, tuple(p.name for p in params if p.name not in required)


@pytest.mark.parametrize("kind", sorted(SINKS))
def test_each_sinks_options_are_its_constructors(kind):
    required, optional = _taken(sinks._kinds()[kind])
    assert (SINKS[kind].required, SINKS[kind].optional) == (required, optional)


def test_the_notifier_kinds_are_the_ones_build_makes():
    assert set(NOTIFIERS) == {"webhook", "slack"}
    assert NOTIFIERS["webhook"].known[:2] == ("name", "url")
    for kind, cls in (("webhook", notify.Webhook), ("slack", notify.Slack)):
        _, optional = _taken(cls)
        # `name` has a default in build(), `url_env` is read there: the rest the class takes.
        assert set(NOTIFIERS[kind].known) - {"name", "url_env"} == {"url", *optional}


@pytest.mark.parametrize("table, message", [
    ({"type": "s3"}, "'type' must be one of command, dotenv, github, vault"),
    ({"type": "dotenv"}, "a dotenv sink needs 'path'"),
    ({"type": "dotenv", "path": ".env", "mode": 1}, "unknown key 'mode' for a dotenv sink"),
])  # fmt: skip
def test_a_bad_sink_table_names_the_problem(table, message):
    with pytest.raises(ValueError, match=message):
        check_sink(table)


def test_a_bad_notifier_table_names_the_problem():
    with pytest.raises(ValueError, match="must be one of webhook, slack"):
        check_notifier({"type": "pager"})
    with pytest.raises(ValueError, match="unknown key 'channel'"):
        check_notifier({"type": "slack", "channel": "#sec"})
