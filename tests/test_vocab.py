"""Closed vocabularies, the one JSON writer of results, and the one error hierarchy."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import typing
from enum import Enum

import pytest

import innkit
from innkit.annotator.core import LENIENCY_LEVELS
from innkit.errors import InnkitError, InvalidInputError, UnknownNameError
from innkit.models import Decoding, Result
from innkit.render import jsonl_record
from innkit.vocab import Confidence, Failure, How, Kind, Leniency

ALLOWED = {"innkit.cli.errors.CliFault", "innkit.cli.errors.ClosedStreamError",
           "innkit.cli.Stopped"}
"""The command line's own exceptions: a click exception, an OSError and a KeyboardInterrupt
(a signal that ends the run, so that every clean-up written for Ctrl-C runs), as their
docstrings say why."""

TEXT = ("Inotuzumab ozogamicin (Zorvexa®) was given with 5-fluorouracil (5-FU); 5-FU and "
        "Zorvexa were stopped. Trastuzimab and beta-blockers were not. Imatinib mesylate.")


def _modules():
    for info in pkgutil.walk_packages(innkit.__path__, "innkit."):
        if info.name.endswith(".__main__"):  # runs the command line on import
            continue
        try:
            yield importlib.import_module(info.name)
        except ImportError as exc:  # an optional extra that is not installed
            if exc.name and exc.name.split(".")[0] in ("spacy", "fastapi", "dask", "distributed",
                                                       "pyarrow", "uvicorn", "starlette"):
                continue
            raise


def test_every_exception_is_an_innkit_error():
    found = {}
    for module in _modules():
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseException)
                    and obj.__module__ == module.__name__):
                found[f"{module.__name__}.{name}"] = obj
    assert "innkit.registry.store.StoreError" in found  # the walk reaches every layer
    wrong = sorted(n for n, cls in found.items()
                   if n not in ALLOWED and not issubclass(cls, InnkitError))
    assert wrong == []


def test_errors_keep_their_builtin_bases_and_carry_reason_and_hint():
    from innkit.files.readers import SkippedRecord
    from innkit.files.textfiles import FileProblem, TextFileError
    from innkit.naming.audit import AuditInputError
    from innkit.registry.store import StoreError

    for cls in (SkippedRecord, TextFileError, AuditInputError):
        assert issubclass(cls, ValueError)
    error = TextFileError(FileProblem.BINARY, "x.csv: binary data, not a CSV table")
    assert (error.reason, error.hint, str(error)) == (
        "x.csv: binary data, not a CSV table", "", "x.csv: binary data, not a CSV table")
    # a reason that ends with its fix: the message is the reason, the fix is also the hint
    store = StoreError("the user registry is locked; wait", "wait")
    assert (str(store), store.hint) == ("the user registry is locked; wait", "wait")


@pytest.mark.parametrize(("value", "error", "failure"), [
    (b"\xff\xfe\x00", InvalidInputError, Failure.NOT_TEXT),
    (12, InvalidInputError, Failure.NOT_TEXT),
    ("ab\x01cd", InvalidInputError, Failure.NOT_TEXT),
    ("x" * 10_000, InvalidInputError, Failure.TOO_LONG),
    ("  ", InvalidInputError, Failure.EMPTY),
    ("qwzx", UnknownNameError, Failure.NO_RULE),
    ("zzzmab", UnknownNameError, Failure.NO_RULE),  # antibody-shaped, no substem fits
    ("trastuzumab/qwzx", UnknownNameError, Failure.NO_RULE),
])
def test_strict_raises_the_class_the_failure_names(value, error, failure):
    d = innkit.decode(value)
    assert d.kind is Kind.UNKNOWN and d.failure is failure
    with pytest.raises(error) as caught:
        innkit.decode(value, strict=True)
    other = UnknownNameError if error is InvalidInputError else InvalidInputError
    assert not isinstance(caught.value, other)
    assert caught.value.reason == d.reason and caught.value.hint


def test_a_read_name_has_no_failure():
    assert innkit.decode("pemivibart").failure is None
    assert "failure" not in innkit.decode("qwzx").to_dict()


def test_kinds_are_what_the_json_shows():
    names = {"pemivibart": Kind.ANTIBODY, "imatinib": Kind.STEM, "beta-blockers": Kind.CLASS,
             "trastuzumab/pertuzumab": Kind.COMBINATION, "qwzx": Kind.UNKNOWN}
    for name, kind in names.items():
        d = innkit.decode(name)
        assert d.kind is kind
        assert json.loads(json.dumps(d.to_dict()))["kind"] == kind.value
    # the one kind no decoding has: how the annotator grows a listed name no rule reads
    assert set(Kind) - set(names.values()) == {Kind.KNOWN}


def test_leniency_levels_are_the_enum_values():
    assert tuple(level.value for level in Leniency) == LENIENCY_LEVELS
    schemas = pytest.importorskip("innkit.web.schemas")
    assert typing.get_args(schemas.Leniency) == LENIENCY_LEVELS


def test_mentions_json_shows_the_enum_values():
    mentions = [m for level in Leniency for m in innkit.annotate(TEXT, leniency=level)]
    seen_how = {m.to_dict()["how"] for m in mentions}
    assert seen_how <= {h.value for h in How}
    assert {"registry", "fuzzy", "abbreviation", "brand", "class"} <= seen_how
    assert {m.to_dict()["confidence"] for m in mentions} <= {c.value for c in Confidence}
    for m in mentions:
        # the hand-made JSON Lines writer gives the bytes json.dumps gives
        expected = json.dumps({"doc": "d", **m.to_dict()}, ensure_ascii=False) + "\n"
        assert jsonl_record("d", m) == expected.encode("utf-8")


def test_stem_confidence_is_an_enum_member():
    d = innkit.decode("imatinib")
    assert d.stems and all(isinstance(m.confidence, Confidence) for m in d.stems)
    assert d.to_dict()["stems"][0]["confidence"] == d.stems[0].confidence.value


def _plain_only(value: object) -> bool:
    if isinstance(value, dict):
        return all(type(k) is str and _plain_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_only(v) for v in value)
    return type(value) in (str, int, float, bool, type(None))


@pytest.mark.parametrize("result", [
    lambda: innkit.decode("inotuzumab ozogamicin"),
    lambda: innkit.decode("Besponsa"),
    lambda: innkit.decode("indium (111In) pentetreotide"),
    lambda: innkit.screen("trastuzimab"),
    lambda: innkit.validate("tozumab"),
    lambda: innkit.annotate(TEXT)[0],
])
def test_to_dict_holds_only_json_types(result):
    """Enums become their values, tuples lists, nested results dicts: no Enum, tuple or
    result object is left for a JSON writer to guess at."""
    data = result().to_dict()
    assert _plain_only(data)
    assert not any(isinstance(v, Enum) for v in data.values())


def test_every_result_lists_keys_it_has():
    """A misspelt key in a result's list would fail only when that result is written."""
    for module in _modules():
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Result) and obj is not Result:
                for entry in obj._json or ():
                    source = entry if isinstance(entry, str) else entry[1]
                    if isinstance(source, str):
                        assert hasattr(obj, source), (obj.__name__, source)
    assert Decoding._json is not None and "failure" not in Decoding._json
