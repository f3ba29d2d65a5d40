"""An ASCII name is normalised without NFKC (which leaves ASCII as it is): the same text as the
full route, whatever its spaces, hyphens and control characters."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from innkit.rules.normalize import normalize_name


def _full_route(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return re.sub(r"\s*-\s*", "-", text)


@given(st.text(alphabet=st.sampled_from("aZ -\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f_9(),/'"),
               max_size=16))
def test_ascii_names_normalise_as_the_full_route_does(text):
    assert normalize_name(text) == _full_route(text)


def test_examples():
    assert normalize_name("  Inotuzumab \t Ozogamicin ") == "inotuzumab ozogamicin"
    assert normalize_name("fam - trastuzumab  deruxtecan -nxki") == \
        "fam-trastuzumab deruxtecan-nxki"
    assert normalize_name("a\x1fb") == "a b"  # a separator Python counts as a space
