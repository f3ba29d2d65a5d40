"""A long document shared between processes gives exactly the mentions of one process: the
same names, decodings, short forms and order, also where a name straddles a piece's edge, a
piece holds invisible characters, or a worker dies."""

from __future__ import annotations

import contextlib
import os
import pickletools
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from innkit.annotator import parallel
from innkit.annotator.core import Annotator, annotate, shared_annotator
from innkit.annotator.parallel import Schedule, Workers
from innkit.annotator.stitch import Stitcher, annotate_chunks
from innkit.annotator.stream import LOOKAHEAD, Piece, pieces
from innkit.models import Mention
from innkit.registry import Registry
from innkit.workers import can_fork

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "monograph.txt"


def _document(seed: int) -> str:
    """A long text of many pieces: the example's sentences shuffled, short forms defined in
    one place and used in others (one defined anew as no drug), a conjugate name cut by a
    piece's edge (its second word in the next piece), invisible characters, and a look-alike
    letter."""
    rng = random.Random(seed)
    sentences = [s.strip() + "." for s in EXAMPLE.read_text(encoding="utf-8").split(".")
                 if s.strip()]
    extra = ["Patients received 5-fluorouracil (5-FU) and leucovorin.",
             "Later, 5-FU was stopped and the dose of MTX lowered.",
             "methotrexate (MTX) was given weekly.",
             "rituximab (Zorvexa\u00ae) was added; Zorvexa was well tolerated.",
             # MTX defined anew as no drug: the uses after it are no methotrexate
             "The microtubule extension (MTX) was measured, and MTX rose."]
    parts = []
    for i in range(400):
        parts.append(rng.choice(sentences + extra))
        if i in (150, 300):
            parts.append("Ri\u00adtuximab with a soft hyphen, r\u0456tuximab with a Cyrillic i.")
        if rng.random() < 0.02:
            # no whitespace for more than LOOKAHEAD characters after the name's first word:
            # the piece is cut inside the name
            parts.append("trastuzumab deruxtecan," + "x" * (LOOKAHEAD + 100))
    return " ".join(parts)


def _chunks(text: str, rng: random.Random) -> list[str]:
    out, i = [], 0
    while i < len(text):
        n = rng.randint(500, 3000)
        out.append(text[i:i + n])
        i += n
    return out


@pytest.fixture(scope="module")
def workers():
    with Workers(1) as pool:
        yield pool


@pytest.fixture(autouse=True)
def at_once(monkeypatch):
    """Workers from the first piece on (these documents are short)."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)


@pytest.mark.parametrize("leniency", ["standard", "strict"])
def test_shared_pieces_give_the_mentions_of_one_process(workers, leniency, monkeypatch):
    text = _document(3)
    chunks = _chunks(text, random.Random(5))
    redone = []
    original = Annotator.annotate

    def counting(self, *args, **kwargs):
        redone.append(kwargs.get("begin"))
        return original(self, *args, **kwargs)

    alone = list(annotate_chunks(chunks, leniency=leniency))
    monkeypatch.setattr(Annotator, "annotate", counting)
    shared = list(annotate_chunks(chunks, leniency=leniency, workers=workers))
    monkeypatch.setattr(Annotator, "annotate", original)
    assert shared == alone
    # the whole text at once: the same, but that a stream cannot link a short form used
    # before the piece that defines it (a well-known one, 5-FU, is found there as itself)
    linked = {"abbreviation", "brand"}
    whole = annotate(text, leniency=leniency)
    linked_whole = {(m.start, m.end) for m in whole if m.how in linked}
    assert [(m.start, m.end) for m in alone
            if m.how not in linked and (m.start, m.end) not in linked_whole] == [
        (m.start, m.end) for m in whole if m.how not in linked]
    # annotated whole here: the pieces with invisible characters, and those after a name cut
    # by a piece's edge; the workers (and this process, while waiting) did the rest
    assert 3 <= len(redone) < len(list(pieces(chunks))) // 2
    hows = {m.how for m in shared}
    assert leniency == "strict" or {"abbreviation", "brand"} <= hows
    assert any(m.text == "trastuzumab deruxtecan" for m in shared)


def test_workers_annotate_with_the_document_s_registry(workers):
    """The workers (started with the process-wide registry) take the registry of the
    document's annotator, not their own."""
    chunks = _chunks(_document(7), random.Random(8))
    bare = Registry(None, shipped=False, substances=False)  # names read by the decoder alone
    alone = list(annotate_chunks(chunks, registry=bare))
    assert alone != list(annotate_chunks(chunks))
    assert list(annotate_chunks(chunks, registry=bare, workers=workers)) == alone


class _Arrival:
    """A worker's answer: it arrives when the test lets it (``done``), or when waited for."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.arrived = False

    def done(self) -> bool:
        return self.arrived

    def result(self) -> object:
        self.arrived = True
        return self.value


class _FakeWorkers:
    """Two workers in name only: a piece's answer is worked out at once, in this process,
    and arrives when the test says."""

    jobs = 2
    broken = False
    start_from = 0

    def __init__(self) -> None:
        self.handed: list[tuple[Piece, _Arrival]] = []

    def submit(self, piece, leniency, registry, shorts=(), known=None) -> _Arrival:
        arrival = _Arrival(parallel._work(leniency, registry, piece, shorts, known))
        self.handed.append((piece, arrival))
        return arrival


def test_the_schedule_gives_pieces_back_in_order_when_answers_arrive_out_of_order():
    document = list(pieces(_chunks(_document(11), random.Random(12))))[:10]
    annotator = shared_annotator("standard")
    pool = _FakeWorkers()
    stitcher = Stitcher(annotator)
    schedule = Schedule(pool, annotator, stitcher.defined)  # type: ignore[arg-type]
    for piece in document:
        schedule.add(piece)
    assert not schedule.due()  # nothing is stitched before enough is read ahead
    assert [p for p, _ in pool.handed] == document[:parallel.IN_FLIGHT * pool.jobs]
    for _, arrival in reversed(pool.handed[1:]):  # the last first; the first not yet
        arrival.arrived = True
    back, mentions = [], []
    while schedule:
        piece, names = schedule.next_done()
        back.append(piece)
        mentions += stitcher.stitch(piece, names)
    assert back == document
    # while the first answer was missing, this process worked on the pieces nobody had
    assert [p for p, _ in pool.handed] == document[:parallel.IN_FLIGHT * pool.jobs]
    whole = Stitcher(annotator)
    assert mentions == [m for piece in document for m in whole.whole(piece)]
    assert len(mentions) > 50


def test_no_workers_is_one_process():
    chunks = _chunks(_document(4), random.Random(6))
    with Workers(0) as none:
        assert list(annotate_chunks(chunks, workers=none)) == list(annotate_chunks(chunks))
        assert none._pool is None


def test_a_short_document_starts_no_worker(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2_000_000)
    chunks = _chunks(_document(4), random.Random(6))
    with Workers(1) as pool:
        assert list(annotate_chunks(chunks, workers=pool)) == list(annotate_chunks(chunks))
        assert pool._pool is None


def test_a_dead_worker_costs_time_not_mentions():
    chunks = _chunks(_document(8), random.Random(9))
    alone = list(annotate_chunks(chunks))
    with Workers(1) as pool:
        stream = annotate_chunks(chunks, workers=pool)
        first = [next(stream) for _ in range(50)]
        for process in list(pool._pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
        rest = list(stream)
        assert pool.broken
    assert first + rest == alone


def test_the_command_s_output_does_not_depend_on_jobs(tmp_path):
    from click.testing import CliRunner

    from innkit.cli import main

    source = tmp_path / "long.txt"
    text = " ".join(_document(seed) for seed in range(60))  # about 3 MB: several pieces
    source.write_text(text, encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        target = tmp_path / f"jobs{jobs}.jsonl"
        result = CliRunner().invoke(main, ["annotate", "--format", "jsonl", "--jobs", jobs,
                                           str(source), "-o", str(target)])
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 20_000


def _long_file(folder: Path, copies: int = 2500) -> Path:
    path = folder / "long.txt"
    path.write_text((EXAMPLE.read_text(encoding="utf-8") + "\n") * copies, encoding="utf-8")
    return path  # 2,500 copies: about 5 MB, workers start at once


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "INNKIT_USER_DB": "/nonexistent/db"}
    return subprocess.Popen([sys.executable, "-m", "innkit.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes in /proc")
@pytest.mark.parametrize("moment", ["click.", "innkit.registry.core", "innkit.annotator.core",
                                    "writing"])
def test_ctrl_c_stops_every_process_with_one_line(tmp_path, monkeypatch, moment):
    """Ctrl-C while the command line loads (click, then the rules: Python reports each module
    as it is imported), while the command loads (its annotator), and while it writes with its
    workers: each time one line, status 130, no output and no process left. Each moment is
    reached, not timed."""
    source = _long_file(tmp_path, copies=10_000)  # 20 MB: seconds of work, still running
    if moment != "writing":
        monkeypatch.setenv("PYTHONPROFILEIMPORTTIME", "1")
    proc = _cli("annotate", "--format", "jsonl", "--jobs", "2", str(source), "-o",
                str(tmp_path / "out.jsonl"), start_new_session=True,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stderr is not None
    said: list[bytes] = []
    if moment == "writing":
        for _ in range(12_000):  # output opened, a worker started: at most two minutes
            if proc.poll() is not None or (list(tmp_path.glob(".out.jsonl*"))
                                           and len(_alive_in_group(proc.pid)) > 1):
                break
            time.sleep(0.01)
    else:
        for line in proc.stderr:  # "import time: ... | <module>", once a module is loaded
            said.append(line)
            if line.rsplit(b"|", 1)[-1].strip().startswith(moment.encode()):
                break
    assert proc.poll() is None, "the command ended before the moment"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    lines = [line for line in b"".join([*said, err]).decode().splitlines()
             if not line.startswith("import time:")]
    assert proc.returncode == 130, lines
    assert lines == ["innkit: interrupted"]
    assert not (tmp_path / "out.jsonl").exists()
    assert not list(tmp_path.glob(".out.jsonl*"))
    for _ in range(1200):  # a worker gone, but not yet reaped, is given two minutes
        if not _alive_in_group(proc.pid):
            break
        time.sleep(0.1)
    assert _alive_in_group(proc.pid) == []  # no worker outlives the command


def _alive_in_group(group: int) -> list[int]:
    """Processes of a process group that still run (a dead one that nobody reaped is not)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":
                alive.append(int(stat.parent.name))
    return alive


def test_a_closed_pipe_is_quiet_with_workers(tmp_path):
    source = _long_file(tmp_path)
    proc = _cli("annotate", "--format", "jsonl", "--jobs", "2", str(source))
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 141 and err == b""


def test_results_travel_between_processes_unchanged():
    """Results cross to and from the workers by their field values (faster than Python's
    pickling of frozen slotted dataclasses): each comes back equal, with the same JSON."""
    from multiprocessing.reduction import ForkingPickler

    parallel._register_reducers()
    mentions = annotate(EXAMPLE.read_text(encoding="utf-8"))
    assert any(m.decoding.substance is not None for m in mentions)
    data = bytes(ForkingPickler.dumps(mentions))
    # each result is made by one call with its values, never filled in afterwards
    assert "BUILD" not in {op.name for op, _, _ in pickletools.genops(data)}
    back = ForkingPickler.loads(data)
    assert back == mentions
    assert [m.to_dict() for m in back] == [m.to_dict() for m in mentions]


def test_a_result_class_whose_init_checks_is_rebuilt_without_running_it():
    """A class rebuilt by its own ``__init__`` only when that stores the fields in order and
    checks nothing; otherwise the values are set as they were sent."""
    import dataclasses

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    plain = parallel._reducer(Mention)(annotate("aspirin")[0])
    assert plain[0] is Mention
    rebuild, args = parallel._reducer(Checked)(Checked(1))
    assert rebuild is parallel._rebuilt
    cls, names, _ = args
    assert rebuild(cls, names, (-1,)).value == -1  # sent as it was: no check on the way


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux")
def test_workers_are_forked_from_a_loaded_process_and_spawned_beside_other_threads():
    """Forked workers share this process's loaded tables; with another thread running (whose
    locks a fork would copy as they stand) they are fresh interpreters. Either way, the same
    mentions."""
    import threading

    chunks = _chunks(_document(13), random.Random(14))
    alone = list(annotate_chunks(chunks))
    forks = can_fork()  # not when another test left a pool's thread running
    with Workers(1) as pool:
        assert list(annotate_chunks(chunks, workers=pool)) == alone
        assert pool._forked == forks
        assert pool.start_from == (0 if forks else parallel.PARALLEL_FROM)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Workers(1) as pool:
            assert list(annotate_chunks(chunks, workers=pool)) == alone
            assert not pool._forked and pool.start_from == parallel.PARALLEL_FROM
    finally:
        stop.set()
        other.join()


@pytest.mark.parametrize(("cores", "busy", "jobs"), [(2, 0, 1), (2, 1, 1), (2, 2, 0), (2, 5, 0),
                                                     (4, 0, 3), (4, 2, 2), (4, 4, 0), (1, 0, 0)])
def test_the_default_workers_leave_out_cores_other_processes_keep_busy(monkeypatch, cores,
                                                                        busy, jobs):
    monkeypatch.setattr(parallel, "available_cores", lambda: cores)
    monkeypatch.setattr(parallel, "busy_elsewhere", lambda: busy)
    assert parallel.default_jobs() == jobs
    assert Workers().jobs == jobs
    assert Workers(3).jobs == 3  # asked for: as many as asked


def test_processes_busy_elsewhere_are_read_from_the_kernel_s_counts():
    from innkit.workers import busy_elsewhere

    # the lower of those running now (this one aside) and the last minute's average
    assert busy_elsewhere("3.71 3.38 2.68 5/250 12345\n") == 3
    assert busy_elsewhere("0.40 0.38 0.30 4/250 12345\n") == 0
    assert busy_elsewhere("2.90 1.00 1.00 2/250 12345\n") == 1
    assert busy_elsewhere("") == 0 and busy_elsewhere("junk") == 0
    assert busy_elsewhere() >= 0


def test_a_piece_stitched_here_has_every_form_s_uses_looked_for_at_once():
    """A piece worked on in the stitching process comes without uses (``shorts`` None), and
    the stitcher finds every form's: the same mentions as a piece annotated whole, short
    forms defined in earlier pieces and in the piece itself linked."""
    from innkit.annotator.stream import piece_names

    chunks = _chunks(_document(21), random.Random(22))
    annotator = shared_annotator("standard")
    whole, stitched = Stitcher(annotator), Stitcher(annotator)
    expected, got = [], []
    for piece in pieces(chunks):
        expected += whole.whole(piece)
        names = piece_names(annotator, piece, None)
        assert names is None or names.uses is None
        got += stitched.stitch(piece, names)
    assert got == expected
    assert any(m.how == "abbreviation" for m in got)
