"""The web server under abuse: work over its time limit is stopped (its process killed), a
normal request is served while the other workers are held, slow bodies are bounded per client
and hold no request slot, every leniency is warm before the server is ready, and the small
contract points (safety headers on the guard's own answers, OPTIONS, the schema) hold.

Nothing here asserts a duration: waits are polled with a generous bound that only limits how
long a failing test takes (the machine may be busy). The latency figures are measured by
benchmarks/serve_hostile.py against a real server process."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")

from click.testing import CliRunner
from fastapi.testclient import TestClient

import innkit
from innkit.annotator.core import LENIENCY_LEVELS
from innkit.cli.serve import serve_cmd
from innkit.naming.core import resolve_target
from innkit.registry import Registry
from innkit.web.app import create_app
from innkit.web.guards import BodyLimitMiddleware
from innkit.web.schemas import TARGET_ENUM

BASE = "http://127.0.0.1"
REGISTRY = Registry(None)
GENEROUS_S = 600.0


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def eventually(condition, limit_s: float = 120.0) -> bool:
    """True once the condition holds (polled; the limit only bounds a failing test)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def held(monkeypatch, tmp_path) -> Path:
    """innkit.annotate, in the workers forked after this, holds its worker for any text over
    1,000 characters until the file ``release`` exists; each held worker leaves its pid."""
    original = innkit.annotate

    def holding(text, *args, **kwargs):
        if len(text) > 1000:
            (tmp_path / f"held-{os.getpid()}").touch()
            while not (tmp_path / "release").exists():
                time.sleep(0.02)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(innkit, "annotate", holding)
    return tmp_path


# -- work over its time is stopped; others are served meanwhile ---------------------------------
def test_a_normal_request_is_served_while_six_workers_are_held(held):
    app = create_app(registry=REGISTRY, time_limit_s=GENEROUS_S, warm_up=False)
    statuses: list[int] = []
    with TestClient(app, base_url=BASE) as c:
        def abuse() -> None:  # held until released, then a quick text to annotate
            statuses.append(c.post("/v1/annotate", json={"text": "Rituximab was given. " * 60})
                            .status_code)

        threads = [threading.Thread(target=abuse) for _ in range(6)]
        for t in threads:
            t.start()
        assert eventually(lambda: len(list(held.glob("held-*"))) == 6)
        r = c.get("/v1/decode", params={"name": "rituximab"})  # the six are still held
        assert r.status_code == 200 and r.json()["kind"] == "antibody"
        assert not statuses
        (held / "release").touch()
        for t in threads:
            t.join(GENEROUS_S)
    assert statuses == [200] * 6


def test_pathological_text_over_the_limit_is_stopped_and_leaves_nothing_running(held):
    app = create_app(registry=REGISTRY, time_limit_s=1.0, warm_up=False)
    with TestClient(app, base_url=BASE) as c:
        r = c.post("/v1/annotate", json={"text": "rituximab/" * 10_000})
        assert r.status_code == 504 and "stopped" in r.json()["detail"]
        pids = [int(p.name.split("-")[1]) for p in held.glob("held-*")]
        assert len(pids) == 1
        assert eventually(lambda: not alive(pids[0])), "the runaway worker still runs"
        r = c.post("/v1/annotate", json={"text": "Rituximab was given."})
        assert r.status_code == 200 and r.json()[0]["text"] == "Rituximab"


def test_workers_die_with_the_pool_and_the_pool_is_restarted(held):
    app = create_app(registry=REGISTRY, time_limit_s=GENEROUS_S, warm_up=False)
    with TestClient(app, base_url=BASE) as c:
        thread = threading.Thread(target=lambda: c.post(
            "/v1/annotate", json={"text": "rituximab/" * 200}))
        thread.start()
        assert eventually(lambda: len(list(held.glob("held-*"))) == 1)
        pool = app.state.worker.pool_pid
        [worker] = [int(p.name.split("-")[1]) for p in held.glob("held-*")]
        os.kill(pool, signal.SIGKILL)
        assert eventually(lambda: not alive(worker)), "a worker outlived its pool"
        thread.join(GENEROUS_S)
        assert eventually(lambda: c.get("/v1/meta").status_code == 200)
        assert app.state.worker.pool_pid not in (None, pool)


def test_closing_the_app_stops_every_worker_process():
    app = create_app(registry=REGISTRY, time_limit_s=GENEROUS_S, warm_up=False)
    with TestClient(app, base_url=BASE) as c:
        assert c.get("/v1/decode", params={"name": "rituximab"}).status_code == 200
        pool = app.state.worker.pool_pid
        workers = children(pool)
        assert workers
    assert not alive(pool) and not any(alive(w) for w in workers)


def test_a_worker_over_its_memory_budget_answers_and_is_replaced(monkeypatch):
    from innkit.web import worker as pool_module

    def pids(budget: int) -> list[int]:
        monkeypatch.setattr(pool_module, "WORKER_BUDGET_BYTES", budget)  # read by the forks
        monkeypatch.setattr(pool_module, "BUDGET_CHECK_JOBS", 1)

        async def jobs() -> list[int]:
            pool = pool_module.Worker(1, GENEROUS_S, lambda: REGISTRY)
            try:
                return [await pool.run(os.getpid) for _ in range(4)]
            finally:
                pool.close()

        return asyncio.run(jobs())

    assert len(set(pids(2**40))) == 1  # within its budget, one worker does every job
    assert len(set(pids(1))) > 1  # over it, each answer is given, then a fresh fork follows


def test_every_leniency_is_warm_before_the_server_is_ready(monkeypatch, tmp_path):
    original = innkit.annotate

    def noting(text, *args, leniency="standard", **kwargs):
        with (tmp_path / "levels").open("a") as f:
            f.write(f"{leniency}\n")
        return original(text, *args, leniency=leniency, **kwargs)

    monkeypatch.setattr(innkit, "annotate", noting)
    app = create_app(registry=REGISTRY, time_limit_s=GENEROUS_S)
    with TestClient(app, base_url=BASE):  # entered once the lifespan (the warm-up) is done
        warmed = set((tmp_path / "levels").read_text().split())
    assert warmed == set(LENIENCY_LEVELS)


# -- slow bodies ---------------------------------------------------------------------------------
def test_slow_bodies_are_bounded_per_client_and_a_whole_body_still_gets_in():
    async def scenario() -> dict[str, list[int]]:
        served: list[bytes] = []

        async def app(scope, receive, send):
            served.append((await receive())["body"])
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        guard = BodyLimitMiddleware(app, max_bytes=10_000, time_limit_s=GENEROUS_S,
                                    per_client=3)
        release = asyncio.Event()

        def request(client: str, whole: bool):
            parts = [{"type": "http.request", "body": b"{}", "more_body": False}] if whole else [
                {"type": "http.request", "body": b"{", "more_body": True},
                {"type": "http.request", "body": b"}", "more_body": False}]

            async def receive():
                if len(parts) == 1 and not whole:
                    await release.wait()  # the rest of a slow body
                return parts.pop(0)

            statuses: list[int] = []

            async def send(message):
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            scope = {"type": "http", "method": "POST", "path": "/v1/annotate", "headers": [],
                     "client": (client, 1234)}
            return guard(scope, receive, send), statuses

        slow = [request("10.0.0.1", whole=False) for _ in range(3)]
        tasks = [asyncio.ensure_future(call) for call, _ in slow]
        await asyncio.sleep(0)
        extra, extra_status = request("10.0.0.1", whole=False)
        whole, whole_status = request("10.0.0.1", whole=True)
        other, other_status = request("10.0.0.2", whole=False)
        other_task = asyncio.ensure_future(other)
        await extra
        await whole
        release.set()
        await asyncio.gather(*tasks, other_task)
        return {"slow": [s for _, st in slow for s in st], "extra": extra_status,
                "whole": whole_status, "other": other_status}

    statuses = asyncio.run(scenario())
    assert statuses == {"slow": [200, 200, 200], "extra": [429], "whole": [200],
                        "other": [200]}


def test_a_body_still_arriving_holds_no_request_slot(monkeypatch):
    import uvicorn

    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    assert CliRunner().invoke(serve_cmd, []).exit_code == 0
    order = [m.cls.__name__ for m in calls[0]["app"].user_middleware]
    assert order.index("BodyLimitMiddleware") < order.index("ConcurrencyLimit")


# -- contract points ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(registry=REGISTRY, time_limit_s=GENEROUS_S, warm_up=False),
                    base_url=BASE) as c:
        yield c


def test_the_guards_own_answers_carry_the_safety_headers(client):
    for r in (client.get("/v1/meta", headers={"host": "attacker.example"}),
              client.post("/v1/annotate", content=b"x", headers={"content-length": "x1"})):
        assert r.status_code == 400
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "content-security-policy" in r.headers


def test_options_and_405_list_every_method_of_the_path(client):
    for path, expected in (("/v1/decode", {"GET", "POST"}), ("/v1/annotate", {"POST"}),
                           ("/v1/meta", {"GET"}), ("/v1/registry/rituximab", {"GET"})):
        r = client.options(path)
        assert r.status_code == 204, path
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert expected | {"OPTIONS"} <= allowed and "DELETE" not in allowed, (path, allowed)
        refused = client.request("DELETE", path)
        assert refused.status_code == 405
        assert {m.strip() for m in refused.headers["allow"].split(",")} == allowed
    assert client.options("/v1/nothing").status_code == 404


def test_the_schema_lists_the_targets_the_naming_routes_take(client):
    spec = client.get("/openapi.json").json()
    targets = TARGET_ENUM["enum"]
    assert "tumour" in targets
    for path in ("/v1/validate", "/v1/suggest"):
        [param] = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "target"]
        assert targets == (param["schema"].get("enum")
                           or next(s["enum"] for s in param["schema"]["anyOf"] if "enum" in s))
    for target in targets:  # every value the schema offers is one the routes' library takes
        assert resolve_target(target) is not None
    assert client.get("/v1/validate", params={"name": "tenotatug", "target": targets[-1]}
                      ).status_code == 200
    r = client.get("/v1/validate", params={"name": "tenotatug", "target": "no-such-target"})
    assert r.status_code == 422 and "tumour" in r.json()["detail"]


@pytest.mark.parametrize("body", [
    {"name": "abc", "score_cutoff": False}, {"name": "abc", "score_cutoff": True},
    {"name": "abc", "limit": True}, {"name": "abc", "score_cutoff": "0.5"}])
def test_booleans_and_strings_are_not_numbers(client, body):
    r = client.post("/v1/screen", json=body)
    assert r.status_code == 422, r.text[:200]
