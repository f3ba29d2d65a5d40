"""Hypothesis: every public function returns, or raises one of innkit's own errors, on any
text (lone surrogates included), bytes or None; never an AttributeError, TypeError or
UnicodeEncodeError from deep inside."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from one_registry import _module_registry, one_registry  # noqa: F401

import innkit
from innkit.errors import InnkitError, InvalidInputError
from innkit.registry import get_registry

# Any str (surrogates too), bytes, None, and a few other types a caller might pass by mistake.
hostile = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1,
            max_size=3).map(lambda s: "tras" + s + "tuzumab"),
    st.binary(max_size=40),
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=5), max_size=2),
)
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _only_innkit_errors(call, value) -> None:
    with contextlib.suppress(InnkitError):
        call(value)


PUBLIC = {
    "decode": innkit.decode,
    "decode strict": lambda v: innkit.decode(v, strict=True),
    "explain": innkit.explain,
    "annotate": innkit.annotate,
    "annotate_chunks": lambda v: list(innkit.annotate_chunks([v, v])),
    "screen": innkit.screen,
    "validate": innkit.validate,
    "validate target": lambda v: innkit.validate("tenotatug", target=v),
    "validate format": lambda v: innkit.validate("tenotatug", format=v),
    "suggest target": lambda v: innkit.suggest(target=v, count=1, seed=1, max_tries=5),
    "lookup": lambda v: get_registry().lookup(v),
    "search": lambda v: get_registry().search(v, limit=3),
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
@SETTINGS
@given(value=hostile)
def test_public_functions_answer_any_input(name, value):
    _only_innkit_errors(PUBLIC[name], value)


@pytest.mark.parametrize("call", [innkit.annotate, innkit.validate,
                                  lambda v: get_registry().lookup(v),
                                  lambda v: get_registry().search(v)])
@pytest.mark.parametrize("value", [None, b"rituximab and trastuzumab", "tr\udcffastuzumab"])
def test_not_text_is_refused_by_name(call, value):
    """Bytes are not silently read as nothing: the error says to decode them first."""
    with pytest.raises(InvalidInputError) as info:
        call(value)
    assert info.value.hint


def test_decode_and_screen_answer_not_text_with_a_reason():
    assert innkit.decode(b"\xff").reason and innkit.decode(None).kind == "unknown"
    assert innkit.screen("tr\udcffastuzumab").reason
    assert innkit.screen(None).reason  # type: ignore[arg-type]


def test_strict_decode_gives_its_hint_once():
    with pytest.raises(innkit.UnknownNameError) as info:
        innkit.decode("zzqqx", strict=True)
    assert info.value.hint and str(info.value).count(info.value.hint) == 1
