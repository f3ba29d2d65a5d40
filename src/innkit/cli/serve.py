"""``innkit serve``: the HTTP API and the page, on this machine only unless told otherwise."""

from __future__ import annotations

import ipaddress

import click

from ..web import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_TEXT_CHARS,
    DEFAULT_THREADS,
    DEFAULT_TIME_LIMIT_S,
    LOOPBACK_HOSTS,
)

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
              show_default=True, help="Worker threads for the library calls.")
@click.option("--max-connections", type=click.IntRange(1), default=100, show_default=True,
              help="Concurrent connections; more are answered 503.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info",
                                                 "debug"]), default="info", show_default=True)
def serve_cmd(host: str, port: int, cors_origins: tuple[str, ...],
              allowed_hosts: tuple[str, ...], max_body_bytes: int, max_text_chars: int,
              time_limit: float, threads: int,
              max_connections: int, log_level: str) -> None:
    """Serve the innkit API (/v1/..., described at /openapi.json) and the page (/).

    \b
    Examples:
      innkit serve                       # http://127.0.0.1:8000/
      innkit serve --port 9000 --cors-origin http://localhost:3000
    """
    try:
        import uvicorn

        from ..web.app import create_app
    except ImportError as exc:
        raise click.ClickException(
            f"innkit serve needs the web extra ({exc.name or exc} is missing): "
            "pip install 'innkit[web]'") from exc
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
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False,
                proxy_headers=False, limit_concurrency=max_connections, timeout_keep_alive=5)
