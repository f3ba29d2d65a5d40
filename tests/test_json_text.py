"""``to_json`` writes exactly the text of ``json.dumps(to_dict(), ensure_ascii=False)``: the
decode command's JSON lines and the annotator's are written by it, and must not change a byte."""

from __future__ import annotations

import json

import pytest

import innkit
from innkit.models import Decoding, Modifier, Substance
from innkit.vocab import Kind

NAMES = [
    "inotuzumab ozogamicin", "Besponsa", "CMC-544", "fam-trastuzumab deruxtecan-nxki",
    "trastuzumab-anns", "pembrolizumab-xyzw", "indium (111In) capromab pendetide",
    "atoltivimab/maftivimab/odesivimab", "trastuzumab and hyaluronidase-oysk", "beta-blockers",
    "amoxicillin clavulanate", "ozagamicin", "warfrin", "lisinipril", "paracétamol",
    "trastuzumabum", "muromonab-CD3", "zzqxjvumab", "atonement", "dinutuximab beta",
    "magnesium sulfate", "nab-paclitaxel", "ecromeximab", "canakinumab", "vitamin E",
    "albuterol", "MMAE", "x" * 400, "", "123", "\ud800abc", 'a "quoted" \\ name', "日本語",
    b"\xff\xfe", 12, None,
]


def _dumps(result: object) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", NAMES, ids=repr)
def test_decoding_json_text_is_json_dumps(name):
    d = innkit.decode(name)
    assert d.to_json() == _dumps(d)
    for part in (d.substance, *d.components, *d.stems, *d.modifiers, *d.readings):
        if part is not None:
            assert part.to_json() == _dumps(part)


def test_ambiguous_substance_and_candidates():
    brief = Substance(name="b", inn="b", unii="U2", relation="brand", name_type="brand")
    s = Substance(name="a", inn="a", unii="U1", relation="brand", name_type="brand",
                  names=(("brand", ("A", "Ä"), 3),), candidates=(brief,), ambiguous=True,
                  tags=("INN",))
    assert s.to_json() == _dumps(s)
    assert json.loads(s.to_json())["denotes"][1]["unii"] == "U2"
    twice = Substance(name="a", inn=None, unii="U4", relation="synonym",
                      names=(("brand", ("A",), 1), ("code", (), 0), ("brand", ("B",), 2)))
    assert twice.to_json() == _dumps(twice)
    d = Decoding(input="a", kind=Kind.STEM, substance=s, identifiers=(("unii", None),),
                 conjugates=(("x y", "U3"),))
    assert d.to_json() == _dumps(d)


def test_a_value_not_of_its_declared_type_is_written_as_json_dumps_writes_it():
    # a number where text is declared, a list where a tuple is: the text is still json's
    d = Decoding(input="a", kind="stem", name=5, eras=["2009"],  # type: ignore[arg-type]
                 modifiers=(Modifier(word="w", kind=3),))  # type: ignore[arg-type]
    assert d.to_json() == _dumps(d)
    assert json.loads(d.to_json())["name"] == 5
