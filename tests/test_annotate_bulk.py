"""The shortcuts of annotating bulk text give the answers of the plain reading: short forms
found past their window's edges and beside other scripts, definitions after any blanks, JSON
lines written from kept pieces, decodings sent by workers, the collector's settings."""

from __future__ import annotations

import gc
import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from innkit.annotator import abbreviations
from innkit.annotator.core import Annotator, annotate
from innkit.render import jsonl_record
from innkit.vocab import How

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "monograph.txt"


def _plain_uses(text: str, short: str, start: int, end: int | None) -> list[tuple[int, int]]:
    rx = re.compile(rf"(?<![A-Za-z0-9\-]){re.escape(short)}(?![A-Za-z0-9\-])")
    return [(m.start(), m.end()) for m in rx.finditer(text, start)
            if end is None or m.start() < end]


def test_short_form_uses_beside_other_scripts_and_at_the_edges(monkeypatch):
    """Hits inside longer words are passed over as the database reports them, on bytes where
    a letter of another script reads as '?': a use beside one is a use, and a hit at either
    end of the bytes read is checked on the text itself."""
    pytest.importorskip("hyperscan")
    monkeypatch.setattr(abbreviations, "FIND_BELOW", 0)
    rng = random.Random(3)
    shorts = sorted({"".join(rng.choice("NAD5-") for _ in range(rng.randint(2, 4)))
                     for _ in range(80)} | {"NA", "DNA", "5-FU"})
    assert len(shorts) > abbreviations.FIND_AT_MOST
    pieces = [*shorts, "ü", "é", "ä", "Ω", " ", "-", "x", "\n", "(", "_"]
    for _ in range(150):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        start = rng.randint(0, len(text))
        end = rng.choice([None, rng.randint(0, len(text) + 2)])
        found = abbreviations.occurrences_of(text, shorts, start, end)
        for short in shorts:
            assert found.get(short, []) == _plain_uses(text, short, start, end), (text, short)


@pytest.mark.parametrize("blanks", ["", " ", "\t \t", " " * 12, "\t" * 9])
def test_a_definition_or_a_brand_after_any_blanks(blanks):
    text = (f"We gave rituximab{blanks}(RTX) weekly; RTX was stopped and rituximab{blanks}"
            "(Zorbexa®) resumed. Zorbexa helped.")
    found = [(m.text, m.how) for m in annotate(text)]
    assert found.count(("RTX", How.ABBREVIATION)) == 2
    assert found.count(("Zorbexa", How.BRAND)) == 2


def test_a_name_not_followed_by_a_parenthesis_defines_nothing():
    assert abbreviations.parenthesis_follows("x (", 1)
    assert abbreviations.parenthesis_follows("x" + " " * 20 + "(", 1)  # looked at in full
    assert abbreviations.parenthesis_follows("x", 1)  # the end of the text: looked at in full
    assert not abbreviations.parenthesis_follows("x  , (", 1)
    assert not abbreviations.parenthesis_follows("x\n(", 1)  # no line break before a form
    assert abbreviations.defined_after("x\n(RTX)", 1, "rxtuximab") is None


def test_json_lines_written_from_kept_pieces_are_json_dumps():
    """The line after a mention's place is kept per distinct mention: the same name at other
    places, in other documents, found another way or with another decoding object."""
    from dataclasses import replace

    text = EXAMPLE.read_text(encoding="utf-8") * 2 + " rituximab Rituximab rituximab"
    mentions = annotate(text)
    twins = [replace(m, how=How.FUZZY, suggestion="rituximab") for m in mentions[:5]]
    copies = [replace(m, decoding=replace(m.decoding)) for m in mentions[:5]]
    assert len({m.text for m in mentions}) < len(mentions)
    for doc in ("a.txt", "b \udcff.txt", "a.txt"):
        for m in [*mentions, *twins, *copies, *mentions]:
            line = json.dumps({"doc": doc, **m.to_dict()}, ensure_ascii=False) + "\n"
            assert jsonl_record(doc, m) == line.encode("utf-8", "backslashreplace")


def test_a_decoding_sent_by_a_worker_leaves_the_one_held():
    from dataclasses import replace

    annotator = Annotator()
    held = annotator.decoding("rituximab")
    other = Annotator().decoding("trastuzumab")
    annotator.remember({"rituximab": replace(held, notes=("made elsewhere",)),
                        "trastuzumab": other})
    assert annotator.decoding("rituximab") is held
    assert annotator.decoding("trastuzumab") is other


def test_the_command_collects_seldom_and_leaves_the_collector_as_it_found_it(tmp_path,
                                                                             monkeypatch):
    from innkit.cli import annotate as command
    from innkit.cli import main

    before = gc.get_threshold()
    assert before != command.GC_THRESHOLD
    during = []
    run = command._run

    def watched(*args, **kwargs):
        during.append(gc.get_threshold())
        return run(*args, **kwargs)

    monkeypatch.setattr(command, "_run", watched)
    result = CliRunner().invoke(main, ["annotate", "--format", "jsonl", str(EXAMPLE),
                                       "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    assert during == [command.GC_THRESHOLD]
    assert gc.get_threshold() == before
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") > 10
