"""The corpus formats: PubTator, BioC XML and JSON, CoNLL, brat's annotation.conf.

A corpus read in comes back with its text unchanged, and every mention written carries offsets
that slice the text to the mention and the identifier of the substance it denotes (every
candidate when it denotes several).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import SHARED
from one_registry import _module_registry, one_registry  # noqa: F401

from innkit.cli import main
from innkit.files.corpora import CorpusError, read_bioc, read_pubtator
from innkit.registry import substances


def _bioc():
    """The bioc package, or a skip: the BioC formats need it (the bioc extra)."""
    pytest.importorskip("bioc.biocjson", reason="the BioC formats need the bioc package")
    import bioc.biocxml

    return bioc

TITLE = "Trastuzumab and Ketas in breast cancer.  "  # trailing spaces stay
ABSTRACT = ("Patients received Kadcyla (trastuzumab emtansine) after Herceptin; "
            "one had besponsa, and ProAir was given for asthma.")
PUBTATOR = (f"101|t|{TITLE}\n101|a|{ABSTRACT}\n101\t0\t11\tTrastuzumab\tChemical\tD068878\n\n"
            "102|t|No drug here.\n102|a|Only words.\n\n")


def run(*args: str, stdin: str | None = None) -> str:
    r = CliRunner().invoke(main, list(args), input=stdin)
    assert r.exit_code == 0, r.output
    return r.stdout


def _jsonl_ids(text: str) -> dict[tuple[int, int], list[str]]:
    """(start, end) -> the CURIEs the jsonl output gives, for the same text."""
    out = {}
    for line in run("annotate", "--format", "jsonl", "-", stdin=text).splitlines():
        row = json.loads(line)
        sub = row["decoding"]["substance"]
        out[row["start"], row["end"]] = [c["curie"] for c in sub["denotes"]] if sub else []
    return out


def _pubtator_docs(output: str) -> list[dict]:
    docs: list[dict] = []
    for block in output.split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        pmid, _, title = lines[0].partition("|t|")
        doc = {"pmid": pmid, "title": title, "abstract": None, "anns": []}
        for line in lines[1:]:
            if "|a|" in line and "\t" not in line.partition("|a|")[0]:
                doc["abstract"] = line.partition("|a|")[2]
            else:
                doc["anns"].append(line.split("\t"))
        docs.append(doc)
    return docs


def _check_pubtator(output: str, source: str) -> int:
    """Title and abstract lines as in ``source``; every annotation slices the text to its
    mention and carries the jsonl output's identifiers. Returns the annotations seen."""
    given = {d["pmid"]: d for d in _pubtator_docs(source)}
    seen = 0
    for doc in _pubtator_docs(output):
        src = given[doc["pmid"]]
        assert (doc["title"], doc["abstract"]) == (src["title"], src["abstract"])
        text = doc["title"] + ("\n" + doc["abstract"] if doc["abstract"] is not None else "")
        expected = _jsonl_ids(text)
        assert len(doc["anns"]) == len(expected)
        for pmid, start, end, mention, kind, ids in doc["anns"]:
            start, end = int(start), int(end)
            assert pmid == doc["pmid"] and text[start:end] == mention
            assert kind in ("Antibody", "Drug", "DrugClass")
            assert ids.split(";") == (expected[start, end] or ["-"])
            seen += 1
    return seen


def test_pubtator_reader_keeps_text_and_passes_over_annotations():
    problems: list[str] = []
    docs = list(read_pubtator((PUBTATOR + "garbage line\n").splitlines(True), "x", problems))
    assert [d.doc_id for d in docs] == ["101", "102"]
    assert [p.text for p in docs[0].pieces] == [TITLE, ABSTRACT]
    assert docs[0].pieces[1].offset == len(TITLE) + 1
    assert docs[0].text == TITLE + "\n" + ABSTRACT
    assert problems == ["x line 8: not a PubTator title, abstract or annotation line; "
                        "passed over"]


def test_pubtator_round_trip():
    out = run("annotate", "--input-format", "pubtator", "--format", "pubtator", "-",
              stdin=PUBTATOR)
    assert _check_pubtator(out, PUBTATOR) >= 4
    assert "D068878" not in out  # the input's own annotations are not copied
    again = run("annotate", "--input-format", "pubtator", "--format", "pubtator", "-",
                stdin=out)
    assert again == out


@pytest.mark.skipif(substances.unii_source() is None,
                    reason="the FDA UNII list is not installed")
def test_ambiguous_names_carry_every_candidate():
    out = run("annotate", "--input-format", "pubtator", "--format", "pubtator", "-",
              stdin=PUBTATOR)
    ids = {a[3]: a[5] for d in _pubtator_docs(out) for a in d["anns"]}
    assert set(ids["Ketas"].split(";")) == {"unii:50LFG02TXD", "unii:M0TTH61XC5"}
    assert set(ids["ProAir"].split(";")) == {"unii:021SEF3731", "unii:4VD1BRT7T8"}
    assert ids["Kadcyla"] == "unii:SE2KH7T06F"


def _bioc_annotations(collection) -> list[tuple[str, object, object]]:
    found = []
    for doc in collection.documents:
        for passage in doc.passages:
            for ann in passage.annotations:
                found.append((doc.id, passage, ann))
    return found


@pytest.mark.parametrize("fmt", ["bioc-xml", "bioc-json"])
def test_bioc_round_trip(fmt, tmp_path):
    bioc = _bioc()
    first = tmp_path / f"a.{fmt}"
    run("annotate", "--input-format", "pubtator", "--format", fmt, "-o", str(first), "-",
        stdin=PUBTATOR)
    load = bioc.biocxml.load if fmt == "bioc-xml" else bioc.biocjson.load
    with first.open(encoding="utf-8") as f:
        collection = load(f)
    doc = collection.documents[0]
    assert [(p.offset, p.text, p.infons["type"]) for p in doc.passages] == [
        (0, TITLE, "title"), (len(TITLE) + 1, ABSTRACT, "abstract")]
    expected = _jsonl_ids(TITLE + "\n" + ABSTRACT)
    anns = [a for a in _bioc_annotations(collection) if a[0] == "101"]
    assert len(anns) == len(expected)
    for _, passage, ann in anns:
        (loc,) = ann.locations
        local = loc.offset - passage.offset
        assert passage.text[local:local + loc.length] == ann.text
        assert ann.infons["identifier"].split(";") == (
            expected[loc.offset, loc.offset + loc.length] or ["-"])
    # read back as BioC: the same collection, byte for byte, in either format
    second = tmp_path / f"b.{fmt}"
    run("annotate", "--input-format", "bioc", "--format", fmt, "-o", str(second), str(first))
    assert second.read_bytes() == first.read_bytes()
    piped = run("annotate", "--input-format", "bioc", "--format", fmt, "-",
                stdin=first.read_text(encoding="utf-8"))
    assert piped == first.read_text(encoding="utf-8")  # standard input reads the same
    pubtator = run("annotate", "--input-format", "bioc", "--format", "pubtator", str(first))
    assert _check_pubtator(pubtator, PUBTATOR) == len(anns)


def test_bioc_keeps_passages_sentences_and_infons(tmp_path):
    bioc = _bioc()
    source = tmp_path / "in.xml"
    source.write_text(
        '<?xml version="1.0" encoding="utf-8"?><collection><source>PMC</source><date>2024'
        '</date><key>k</key><document><id>d1</id><infon key="year">2020</infon>'
        '<passage><infon key="type">front</infon><offset>0</offset><text>Herceptin works.'
        '</text><annotation id="x"><infon key="type">Gene</infon><location offset="0" '
        'length="9"/><text>Herceptin</text></annotation></passage>'
        '<passage><infon key="type">paragraph</infon><offset>100</offset>'
        '<sentence><offset>100</offset><text>Give besponsa now.</text></sentence></passage>'
        '</document></collection>', encoding="utf-8")
    out = tmp_path / "out.xml"
    run("annotate", "--input-format", "bioc", "--format", "bioc-xml", "-o", str(out),
        str(source))
    with out.open(encoding="utf-8") as f:
        collection = bioc.biocxml.load(f)
    assert (collection.source, collection.date, collection.key) == ("PMC", "2024", "k")
    doc = collection.documents[0]
    assert doc.infons == {"year": "2020"}
    front, para = doc.passages
    assert [a.text for a in front.annotations] == ["Herceptin"]
    assert front.annotations[0].infons["type"] != "Gene"  # the input's annotation is replaced
    (sentence,) = para.sentences
    (ann,) = sentence.annotations
    loc = ann.locations[0]
    assert sentence.text[loc.offset - sentence.offset:][:loc.length] == "besponsa"


def test_not_bioc_is_one_line_and_exit_2(tmp_path):
    _bioc()
    bad = tmp_path / "bad.xml"
    bad.write_text("<html><p>not bioc", encoding="utf-8")
    r = CliRunner().invoke(main, ["annotate", "--input-format", "bioc", str(bad)])
    assert r.exit_code == 2
    assert "not BioC XML" in r.stderr and "Traceback" not in r.output
    with pytest.raises(CorpusError):
        list(read_bioc(bad.open("rb"), "bad.xml"))


def test_conll_tags_whole_mentions():
    text = "Give inotuzumab ozogamicin now. Then Herceptin.\nDone."
    out = run("annotate", "--format", "conll", "-", stdin=text)
    rows = [line.split("\t") for line in out.splitlines() if line and
            not line.startswith("-DOCSTART-")]
    assert all(text[int(s):int(e)] == tok for tok, s, e, _ in rows)
    tags = {tok: tag for tok, _, _, tag in rows}
    assert tags["inotuzumab"] == "B-Antibody" and tags["ozogamicin"] == "I-Antibody"
    assert tags["Herceptin"].startswith("B-") and tags["Give"] == "O"
    assert out.count("\n\n") >= 3  # sentences end at "." before a capital, and at a line break


def test_brat_folder_has_annotation_conf(tmp_path):
    run("annotate", "--format", "brat", "-o", str(tmp_path), "-", stdin="Herceptin given.")
    conf = (tmp_path / "annotation.conf").read_text(encoding="utf-8")
    types = {line.split()[1] for line in (tmp_path / "stdin.ann").read_text().splitlines()
             if line.startswith("T")}
    assert "[entities]" in conf and types <= set(conf.split())
    assert "unii" in (tmp_path / "tools.conf").read_text(encoding="utf-8")


def test_shared_corpus_round_trips(tmp_path):
    """A PubTator file made from BC5CDR abstracts (title: the first sentence) comes back with
    its text unchanged and every mention in place with its identifier, in PubTator and BioC."""
    source = SHARED / "corpora" / "bc5cdr" / "bc5cdr.jsonl"
    if not source.is_file():
        pytest.skip(f"{source} is absent")
    blocks = []
    with source.open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            cut = record["text"].find(". ")
            if cut < 0:
                continue
            title, abstract = record["text"][:cut + 1], record["text"][cut + 2:]
            gold = "".join(f"{record['doc_id']}\t{m['start']}\t{m['end']}\t{m['text']}\t"
                           f"{m['type']}\t{m.get('id', '-')}\n" for m in record["mentions"])
            blocks.append(f"{record['doc_id']}|t|{title}\n{record['doc_id']}|a|{abstract}\n"
                          f"{gold}\n")
            if len(blocks) == 40:
                break
    made = "".join(blocks)
    out = run("annotate", "--input-format", "pubtator", "--format", "pubtator", "-",
              stdin=made)
    docs = _pubtator_docs(out)
    assert len(docs) == 40
    given = {d["pmid"]: d for d in _pubtator_docs(made)}
    for doc in docs:
        assert (doc["title"], doc["abstract"]) == (given[doc["pmid"]]["title"],
                                                   given[doc["pmid"]]["abstract"])
        text = doc["title"] + "\n" + doc["abstract"]
        for _, start, end, mention, _, ids in doc["anns"]:
            assert text[int(start):int(end)] == mention and ids
    _bioc()
    for fmt in ("bioc-xml", "bioc-json"):
        path = tmp_path / fmt
        run("annotate", "--input-format", "pubtator", "--format", fmt, "-o", str(path), "-",
            stdin=made)
        back = run("annotate", "--input-format", "bioc", "--format", "pubtator", str(path))
        assert back == out

