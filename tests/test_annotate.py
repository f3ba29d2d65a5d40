"""annotate: whole-name spans, the English guard, near misses, streaming and bad input."""

from __future__ import annotations

import collections
import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from innkit.annotator.core import LENIENCY_LEVELS, Annotator, annotate
from innkit.annotator.scanner import PatternSet, RegexScanner, make_scanner
from innkit.annotator.stitch import annotate_chunks
from innkit.registry import Registry
from innkit.rules import Rules

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "monograph.txt"


def spans(text: str, **kw) -> list[tuple[str, str]]:
    return [(m.text, m.how) for m in annotate(text, **kw)]


def test_whole_names_with_their_modifiers():
    text = ("Patients got Inotuzumab ozogamicin, then indium (111In) capromab pendetide, "
            "dinutuximab beta, trastuzumab-anns, fam-trastuzumab deruxtecan-nxki and "
            "muromonab-CD3; later atoltivimab/maftivimab/odesivimab and ibritumomab tiuxetan "
            "(90Y).")
    found = [t for t, _ in spans(text)]
    assert found == [
        "Inotuzumab ozogamicin", "indium (111In) capromab pendetide", "dinutuximab beta",
        "trastuzumab-anns", "fam-trastuzumab deruxtecan-nxki", "muromonab-CD3",
        "atoltivimab/maftivimab/odesivimab", "ibritumomab tiuxetan (90Y)",
    ]


def test_offsets_point_at_the_text():
    text = EXAMPLE.read_text(encoding="utf-8")
    mentions = annotate(text)
    assert mentions
    for m in mentions:
        assert text[m.start:m.end] == m.text
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


def test_the_example_document_names():
    found = {m.text.lower() for m in annotate(EXAMPLE.read_text(encoding="utf-8"))}
    for name in ("inotuzumab ozogamicin", "ecromeximab", "canakinumab", "pemivibart",
                 "etentamig", "tegoprubart", "lokivetmab", "indium (111in) capromab pendetide"):
        assert name in found


def test_english_words_are_not_names():
    text = ("The atonement, a tenement, the refinement of treatment and confinement; "
            "a testament to development, enthronement and debridement.")
    assert spans(text) == []


def test_an_english_word_that_a_product_is_also_called_is_no_name():
    """Milestone and Headline are herbicides' brands, Nostril a decongestant's: in running
    text, found by their endings, they are the English words (decoded alone, each still
    says which product it names)."""
    import innkit

    assert spans("A milestone made the headline; it stung his nostril.") == []
    d = innkit.decode("Nostril")
    if d.substance is not None:  # with the UNII list
        assert d.substance.relation == "brand"


def test_a_listed_substance_whose_stem_letters_are_chemistry_is_still_found():
    """cycloguanil's -nil is the end of its guanil (chemical_words.tsv), no stem: the text's
    word is still found where a list names it, and a nucleotide no list names is not."""
    import innkit

    found = {m.text: m for m in annotate("Levels of cycloguanil and an oligonucleotide rose.")}
    assert "oligonucleotide" not in found
    d = innkit.decode("cycloguanil")
    if d.substance is not None:  # with the UNII list
        assert not d.stems and "known substance name" in d.reason
        assert found["cycloguanil"].how == "registry"


def test_unseen_names_by_morphology():
    empty = Registry(None, shipped=False, substances=False)
    found = annotate("Zeleciment and pemivibart, then fovaletamig (a new -mig).", registry=empty)
    assert [(m.text, m.how, m.decoding.stem) for m in found] == [
        ("Zeleciment", "morphology", "ment"), ("pemivibart", "morphology", "bart"),
        ("fovaletamig", "morphology", "mig")]
    assert not any(m.known for m in found)


def test_near_misses_are_flagged_with_the_right_name():
    [m] = annotate("The label for inotuzumab ozagamicin carries a warning.")
    assert (m.text, m.how, m.suggestion) == ("inotuzumab ozagamicin", "fuzzy",
                                             "inotuzumab ozogamicin")
    [m] = annotate("Patients on trastuzimab were excluded.")
    assert (m.how, m.suggestion) == ("fuzzy", "trastuzumab")


def test_general_stems_follow_the_leniency():
    # strict: known names of every kind (issue 12), but no name read by a stem alone.
    text = "Imatinib and atenolol were given; zorbatinib was stopped in the clinical trial."
    assert [t for t, _ in spans(text, leniency="strict")] == ["Imatinib", "atenolol"]
    standard = [t for t, _ in spans(text)]
    assert standard == ["Imatinib", "atenolol", "zorbatinib"]
    assert "clinical" not in standard
    assert set(standard) <= {t for t, _ in spans(text, leniency="lenient")}


def test_leniency_is_checked():
    with pytest.raises(ValueError, match="leniency"):
        Annotator(leniency="loose")
    assert set(LENIENCY_LEVELS) == {"strict", "standard", "lenient"}


@pytest.mark.parametrize("text", ["", " ", "\x00\x01\x02", "💊" * 1000, "a" * 100_000,
                                  "mab " * 10_000, "<script>alert(1)</script>rituximab"])
def test_odd_input_never_fails(text):
    for m in annotate(text):
        assert text[m.start:m.end] == m.text


def test_ten_megabyte_single_line():
    text = "x" * 10_000_000 + " rituximab"
    found = list(annotate_chunks(text[i:i + 1_000_000] for i in range(0, len(text), 1_000_000)))
    assert [(m.start, m.text) for m in found] == [(10_000_001, "rituximab")]


def test_streamed_pieces_equal_the_whole_text():
    text = EXAMPLE.read_text(encoding="utf-8") * 4
    whole = [(m.start, m.end, m.text) for m in annotate(text)]
    rng = random.Random(7)
    for _ in range(10):
        pieces, i = [], 0
        while i < len(text):
            n = rng.randint(1, 1500)
            pieces.append(text[i:i + n])
            i += n
        assert [(m.start, m.end, m.text) for m in annotate_chunks(pieces)] == whole


@pytest.mark.parametrize("leniency", LENIENCY_LEVELS)
def test_hyperscan_and_re_scanners_agree(leniency):
    pytest.importorskip("hyperscan")
    patterns = PatternSet.build(Rules.shipped().tables, Registry(None), leniency)
    text = EXAMPLE.read_text(encoding="utf-8") + " Muromonab  and clinical haloperidol 5mab_x"
    fast = make_scanner(patterns, "hyperscan")
    assert fast.name == "hyperscan"
    assert fast.scan(text) == RegexScanner(patterns).scan(text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([*"abcdefilmnotuvxz -/()\n", "mab", "ment", "tuzumab ",
                                 "ximab", " ozogamicin", "(111In) "]), max_size=80).map("".join))
def test_property_never_raises_and_spans_are_exact(text):
    for m in annotate(text, leniency="lenient"):
        assert text[m.start:m.end] == m.text
        assert m.how in {"registry", "morphology", "stem", "fuzzy"}


def test_a_radiolabel_in_parentheses_abbreviates_nothing():
    """Found by the property test above: (111In) after a labelled name is its label, so a
    second (111In) is no abbreviation of the name."""
    found = annotate("rituximab (111In) (111In) and 5-fluorouracil (5-FU), then 5-FU.")
    assert [(m.text, m.how) for m in found] == [
        ("rituximab (111In)", "registry"), ("5-fluorouracil", "registry"),
        ("5-FU", "abbreviation"), ("5-FU", "abbreviation")]


def test_shared_annotators_keep_those_of_the_registries_used_last():
    """Each Annotator holds its registry: the shared ones are bounded, least recently used out."""
    from innkit.annotator.core import _ANNOTATORS, KEPT_REGISTRIES, shared_annotator

    assert KEPT_REGISTRIES == 2
    a, b, c = (Registry(None, shipped=False, substances=False) for _ in range(3))
    first = shared_annotator("standard", a)
    shared_annotator("standard", b)
    assert shared_annotator("standard", a) is first  # used again: now the most recent
    shared_annotator("standard", c)
    assert {key[1] for key in _ANNOTATORS} == {id(a), id(c)}
    assert shared_annotator("standard", a) is first


def _decoder_calls(monkeypatch, text: str) -> collections.Counter[str]:
    """How often annotating ``text`` calls the decoder, by the text it is given."""
    import innkit.annotator.core as core

    calls: collections.Counter[str] = collections.Counter()
    decode = core.decode

    def counted(span, **kw):
        calls[span] += 1
        return decode(span, **kw)

    monkeypatch.setattr(core, "decode", counted)
    mentions = Annotator().annotate(text)
    assert mentions and {m.text for m in mentions} <= set(calls)
    return calls


@pytest.mark.parametrize("text", [
    EXAMPLE.read_text(encoding="utf-8"),
    # a slash part named again alone, a grown name that reads as nothing (the locant), a label
    "atoltivimab/maftivimab, then maftivimab; 5-hydroxytryptamine; "
    "indium (111In) capromab pendetide and capromab pendetide",
])
def test_each_distinct_span_is_decoded_once(monkeypatch, text):
    """A candidate's verdict, its grown name, its slash parts and a fall-back to the word
    itself share one decoding per distinct text: the decoder never reads a span twice."""
    calls = _decoder_calls(monkeypatch, text)
    assert [s for s, n in calls.items() if n > 1] == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \u0430\u03baXé-", max_size=30), st.integers(0, 30))
def test_look_alike_letters_are_told_present_exactly_when_words_hold_them(text, start):
    """The quick test for look-alike letters (str.find of each) agrees with the words the
    look-alike pattern finds: it never passes over a text that has one."""
    from innkit.annotator import confusables

    rules = Rules.shipped()
    start = min(start, len(text))
    found = list(confusables.words(text, start, rules))
    if found:
        assert confusables.present(text, start, rules)
    if not any(c in text[start:] for c in "\u0430\u03ba"):  # no look-alike from start
        assert not confusables.present(text, start, rules)
