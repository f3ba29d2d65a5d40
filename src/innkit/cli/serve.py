"""``innkit serve``: the HTTP API and the page, on this machine only unless told otherwise."""

from __future__ import annotations

import ipaddress

import click

from ..web import (
    DEFAULT_HEADER_TIMEOUT_S,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_QUEUE,
    DEFAULT_MAX_TEXT_CHARS,
    DEFAULT_THREADS,
    DEFAULT_TIME_LIMIT_S,
    LOOPBACK_HOSTS,
)
from .errors import CliFault, ExitStatus, os_fault

DEFAULT_HOST = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on. Anything but loopback lets other machines in.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Allow browser pages from ORIGIN (e.g. https://app.example.org) to call "
                   "the API; repeatable. Default: none (CORS off).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Host header names to answer; repeatable. Default: the loopback names when "
                   "listening on loopback, any name otherwise.")
@click.option("--max-body-bytes", type=click.IntRange(1024), default=DEFAULT_MAX_BODY_BYTES,
              show_default=True, help="Largest request body; larger ones are answered 413.")
@click.option("--max-text-chars", type=click.IntRange(1), default=DEFAULT_MAX_TEXT_CHARS,
              show_default=True, help="Longest text /v1/annotate reads (413 beyond).")
@click.option("--time-limit", type=click.FloatRange(0.1, 600), default=DEFAULT_TIME_LIMIT_S,
              show_default=True, help="Seconds a request may take before it is answered 504.")
@click.option("--threads", type=click.IntRange(1, 64), default=DEFAULT_THREADS,
              show_default=True, help="Worker processes kept ready for the library calls.")
@click.option("--max-connections", type=click.IntRange(1), default=DEFAULT_MAX_CONNECTIONS,
              show_default=True, help="Requests worked on at once; more wait in the queue.")
@click.option("--max-queue", type=click.IntRange(0), default=DEFAULT_MAX_QUEUE,
              show_default=True, help="Requests that may wait for a slot, each at most the time "
              "limit; beyond, or after waiting that long, 503 with Retry-After.")
@click.option("--header-timeout", type=click.FloatRange(0.5, 120),
              default=DEFAULT_HEADER_TIMEOUT_S, show_default=True,
              help="Seconds a connection has to send its request head; slower ones are closed.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info",
                                                 "debug"]), default="info", show_default=True)
def serve_cmd(host: str, port: int, cors_origins: tuple[str, ...],
              allowed_hosts: tuple[str, ...], max_body_bytes: int, max_text_chars: int,
              time_limit: float, threads: int, max_connections: int, max_queue: int,
              header_timeout: float, log_level: str) -> None:
    """Serve the innkit API (/v1/..., described at /openapi.json) and the page (/).

    \b
    Limits: bodies over --max-body-bytes are answered 413, texts over --max-text-chars 413,
    work over --time-limit 504; --max-connections requests are worked on at once and up to
    --max-queue more wait their turn (503 with Retry-After beyond); a connection that has not
    sent its request head within --header-timeout seconds is closed; an idle keep-alive
    connection is closed after 5 s. See docs/web.md.

    \b
    Examples:
      innkit serve                       # http://127.0.0.1:8000/
      innkit serve --port 9000 --cors-origin http://localhost:3000
    """
    try:
        from ..web.app import create_app
        from ..web.server import serve
    except ImportError as exc:
        raise click.ClickException(
            f"innkit serve needs the web extra ({exc.name or exc} is missing): "
            "pip install -e '.[web]' in a clone of innkit") from exc
    loopback = is_loopback(host)
    hosts: tuple[str, ...] | None = allowed_hosts or (LOOPBACK_HOSTS if loopback else None)
    if not loopback:
        click.echo(f"warning: listening on {host}: other machines can reach this server and "
                   "read the user registry's names; there is no authentication", err=True)
    app = create_app(
        max_body_bytes=max_body_bytes,
        max_text_chars=max_text_chars,
        time_limit_s=time_limit,
        cors_origins=list(cors_origins) or None,
        allowed_hosts=hosts,
        threads=threads,
    )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"innkit: the page is at http://{shown}:{port}/ and the API description at "
               f"http://{shown}:{port}/openapi.json", err=True)
    try:
        serve(app, host=host, port=port, log_level=log_level, max_connections=max_connections,
              max_queue=max_queue, header_timeout_s=header_timeout, wait_s=time_limit)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise os_fault(exc, f"listen on {shown}:{port}", "") from exc
    except SystemExit as exc:  # uvicorn logs why it could not start, then exits 3
        if exc.code in (0, None):
            raise
        raise CliFault(f"the server could not start on {shown}:{port} (see the error above); "
                       "choose another --port or --host, or stop the program using it",
                       ExitStatus.ENVIRONMENT) from None
