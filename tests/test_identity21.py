"""Identity right: the naked antibody and each of its conjugates are distinct substances, an INN
is never a fragment left after stripping words, each name's own INN number comes from the
data, and an ambiguous name has no single identifier in Python as in JSON.

The rules are checked on a small invented UNII list (names innkit has never seen) and on the
installed FDA UNII list."""

from __future__ import annotations

import pytest
from one_registry import _module_registry, one_registry  # noqa: F401

import innkit
from innkit.registry import get_registry, substances
from innkit.registry.identity import Resolver
from innkit.registry.substances import is_fragment, open_index
from innkit.render import render_card
from innkit.vocab import Relation

needs_unii = pytest.mark.skipif(substances.unii_source() is None,
                                reason="the FDA UNII list is not installed")

SALTS = frozenset({"sodium", "chloride", "lactate", "mesylate", "fumarate"})
INVENTED_UNII = (
    "Name\tTYPE\tUNII\tDisplay Name\n"
    # a conjugate that also lists the naked antibody word (as VANDF does for brentuximab)
    "ZORTUXIMAB [VANDF]\tcn\tAAAAAAAAA1\tZORTUXIMAB VEDOTIN\n"
    "ZORTUXIMAB VEDOTIN [INN]\tcn\tAAAAAAAAA1\tZORTUXIMAB VEDOTIN\n"
    "ZORTUXIMAB VEDOTIN\tof\tAAAAAAAAA1\tZORTUXIMAB VEDOTIN\n"
    # the naked antibody, whose code is the conjugate's code stem
    "ZORTUXIMAB\tcn\tAAAAAAAAA2\tZORTUXIMAB\n"
    "XZ-10\tcd\tAAAAAAAAA2\tZORTUXIMAB\n"
    # a conjugate whose naked antibody the list lacks
    "QUELITUZUMAB [VANDF]\tcn\tAAAAAAAAA3\tQUELITUZUMAB DERUXTECAN\n"
    "QUELITUZUMAB DERUXTECAN [INN]\tcn\tAAAAAAAAA3\tQUELITUZUMAB DERUXTECAN\n"
    # a preparation INN listed under a salt: the salt's INN is not 'compound solution of'
    "SODIUM GLUCONITE\tof\tAAAAAAAAA4\tSODIUM GLUCONITE\n"
    "COMPOUND SOLUTION OF SODIUM GLUCONITE [INN]\tcn\tAAAAAAAAA4\tSODIUM GLUCONITE\n"
    # salt words that belong to the INN (no listed name is left without them)
    "SODIUM GENTIRATE [INN]\tcn\tAAAAAAAAA5\tSODIUM GENTIRATE\n"
    # salt words stripped where a listed name is left
    "VORATINIB [INN]\tcn\tAAAAAAAAA6\tVORATINIB\n"
    "VORATINIB MESYLATE\tof\tAAAAAAAAA7\tVORATINIB MESYLATE\n"
)


@pytest.fixture
def invented(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "UNII_Names.txt"
    source.write_text(INVENTED_UNII, encoding="utf-8")
    index = open_index(SALTS, source=source, quiet=True)
    assert index is not None
    return index


@pytest.mark.parametrize(("name", "inn", "fragment"), [
    ("brentuximab", "brentuximab vedotin", True),
    ("compound solution of", "compound solution of sodium chloride", True),
    ("sodium chloride", "compound solution of sodium chloride", True),
    ("brentuximab vedotin", "brentuximab vedotin", False),
    ("imatinib mesylate", "imatinib", False),
    ("trastuzumab", "trastuzumab-anns", False),
    ("vedotin brentuximab", "brentuximab vedotin", False),
])
def test_fragment(name, inn, fragment):
    assert is_fragment(name, inn) is fragment


def test_invented_inns_follow_the_rules(invented):
    inn = {u: invented.substance(u).inn for u in (f"AAAAAAAAA{i}" for i in range(1, 8))}
    assert inn["AAAAAAAAA1"] == "zortuximab vedotin"
    assert inn["AAAAAAAAA2"] is None  # the naked antibody never takes its conjugate's INN
    assert inn["AAAAAAAAA3"] == "quelituzumab deruxtecan"
    assert inn["AAAAAAAAA4"] is None  # never 'compound solution of', never the preparation's
    assert inn["AAAAAAAAA5"] == "sodium gentirate"
    assert inn["AAAAAAAAA7"] == "voratinib"


def test_invented_naked_antibody_is_its_own_substance(invented):
    resolver = Resolver(invented, SALTS, lambda _name: None)
    naked = resolver.resolve("zortuximab")
    assert naked is not None and naked.unii == "AAAAAAAAA2" and naked.inn is None
    code = resolver.resolve("xz-10")
    assert code is not None and code.unii == "AAAAAAAAA2" and code.relation == Relation.CODE
    assert resolver.resolve("zortuximab vedotin").unii == "AAAAAAAAA1"
    assert resolver.resolve("quelituzumab") is None  # only a conjugate: no substance
    assert invented.conjugates("zortuximab") == [("zortuximab vedotin", "AAAAAAAAA1")]
    assert invented.conjugates("quelituzumab") == [("quelituzumab deruxtecan", "AAAAAAAAA3")]
    assert invented.conjugates("zortuximab vedotin") == []


@needs_unii
def test_naked_antibody_and_its_conjugate_are_distinct():
    naked, conjugate = innkit.decode("brentuximab"), innkit.decode("brentuximab vedotin")
    assert naked.substance.unii == "C67ORA155P" and naked.substance.inn != "brentuximab vedotin"
    assert conjugate.substance.unii == "7XL5ISS668"
    assert dict(naked.identifiers)["unii"] == "C67ORA155P"
    assert naked.conjugates == (("brentuximab vedotin", "7XL5ISS668"),)
    assert naked.to_dict()["conjugates"] == [{"inn": "brentuximab vedotin", "unii": "7XL5ISS668"}]
    assert "  conjugates: brentuximab vedotin (UNII 7XL5ISS668)" in render_card(naked)
    assert conjugate.conjugates == ()  # a conjugate lists none


@needs_unii
def test_code_of_the_naked_antibody_is_not_the_conjugate():
    d = innkit.decode("cAC10")
    assert d.substance.unii == "C67ORA155P" and d.substance.relation == Relation.CODE
    assert d.name == "brentuximab" and d.conjugates == (("brentuximab vedotin", "7XL5ISS668"),)
    assert innkit.decode("SGN-35").substance.unii == "7XL5ISS668"


@needs_unii
def test_one_antibody_word_links_to_all_its_conjugates():
    d = innkit.decode("trastuzumab")
    index = get_registry().substances.index()
    listed = {i for i in index.inn_names() if i.startswith("trastuzumab ")}
    qualifiers = get_registry().rules.tables.qualifiers
    expected = {i for i in listed if len(i.split(" ")) == 2 and i.split(" ")[1] not in qualifiers}
    assert {"trastuzumab emtansine", "trastuzumab deruxtecan"} <= expected
    assert {inn for inn, _ in d.conjugates} == expected
    assert d.substance.unii == "P188ANX8CK"
    assert "P188ANX8CK" not in {u for _, u in d.conjugates}
    card = render_card(d)
    assert all(f"{inn} (UNII {unii})" in card for inn, unii in d.conjugates)


@needs_unii
def test_no_substance_takes_an_inn_that_holds_its_name_with_more_words():
    index = get_registry().substances.index()
    rows = [(s.name, s.inn) for s in index.substances() if s.inn]
    assert rows and not [(n, i) for n, i in rows if is_fragment(n.lower(), i)]
    assert not [i for _n, i in rows if i.endswith((" of", " and"))]


@needs_unii
@pytest.mark.parametrize("name", ["sodium chloride", "sodium lactate"])
def test_salt_name_gets_no_fragment_inn(name):
    s = innkit.decode(name).substance
    assert s is not None and s.name == name
    assert s.inn is None


@needs_unii
def test_salt_words_that_belong_to_the_inn_stay():
    assert innkit.decode("sodium aurotiosulfate").substance.inn == "sodium aurotiosulfate"
    assert innkit.decode("imatinib mesylate").substance.inn == "imatinib"


@needs_unii
def test_each_name_has_its_own_inn_number():
    family = dict(innkit.decode("dinutuximab").identifiers)
    assert family.get("inn_number")
    own = dict(innkit.decode("dinutuximab beta").identifiers)
    assert own["unii"] == "7SQY4ZUD30" and "inn_number" not in own
    assert "INN list number" not in render_card(innkit.decode("dinutuximab beta"))


@needs_unii
@pytest.mark.parametrize("name", ["Ketas", "ProAir"])
def test_ambiguous_name_has_no_single_identifier_in_python(name):
    d = innkit.decode(name)
    assert d.substance.ambiguous
    assert all(value is None for _, value in d.identifiers)
    assert dict(d.identifiers) == d.to_dict()["identifiers"] == {"unii": None}


@needs_unii
@pytest.mark.parametrize(("name", "unii", "relation", "inn"), [
    ("Besponsa", "P93RUU11P7", Relation.BRAND, "inotuzumab ozogamicin"),
    ("Kadcyla", "SE2KH7T06F", Relation.BRAND, "trastuzumab emtansine"),
    ("trastuzumab-anns", "P188ANX8CK", Relation.FDA_NAME, "trastuzumab"),
    ("inotuzumab ozogamicin", "P93RUU11P7", Relation.INN, "inotuzumab ozogamicin"),
])
def test_controls_do_not_change(name, unii, relation, inn):
    d = innkit.decode(name)
    assert d.substance.unii == unii and d.substance.relation == relation
    assert d.substance.inn == inn and not d.substance.ambiguous
    assert dict(d.identifiers)["unii"] == unii
    assert d.conjugates == ()


@needs_unii
def test_controls_keep_their_inn_number():
    assert dict(innkit.decode("trastuzumab-anns").identifiers)["inn_number"] == \
        dict(innkit.decode("trastuzumab").identifiers)["inn_number"]
