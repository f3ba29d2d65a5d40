"""The page and the HTML report show every kind of mention: each ``how`` has its colour and its
place in the legend (a kind without one showed in the browser's default yellow, unexplained)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from innkit.render import html_page
from innkit.vocab import How

STATIC = Path(__file__).resolve().parents[1] / "src" / "innkit" / "web" / "static"


@pytest.mark.parametrize("how", list(How))
def test_every_kind_of_mention_is_styled_and_in_the_legend(how):
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    js = (STATIC / "app.js").read_text(encoding="utf-8")
    assert re.search(rf"mark\.{how.value}\s*\{{[^}}]*background", css)
    labels = re.search(r"const HOW = \{(.*?)\};", js, re.DOTALL).group(1)
    assert re.search(rf"^\s*{how.value}:", labels, re.MULTILINE)
    assert re.search(rf"mark\.{how.value} \{{ background", html_page("t", "", []))


def test_download_route_writes_what_the_command_line_writes(tmp_path):
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from innkit.cli import main
    from innkit.registry import Registry
    from innkit.web.app import create_app

    text = "Besponsa (inotuzumab ozogamicin) and Ketas were given."
    source = tmp_path / "text"
    source.write_text(text, encoding="utf-8")
    with TestClient(create_app(registry=Registry(None), time_limit_s=600),
                    base_url="http://127.0.0.1") as client:
        for fmt, suffix in (("jsonl", "jsonl"), ("tsv", "tsv"), ("brat", "ann")):
            answer = client.post("/v1/annotate/download",
                                 json={"text": text, "format": fmt})
            assert answer.status_code == 200
            assert f'filename="innkit-mentions.{suffix}"' in answer.headers[
                "content-disposition"]
            args = ["annotate", "--format", fmt, str(source)]
            expected = CliRunner().invoke(main, args).stdout.replace(str(source), "text")
            assert answer.text == expected, fmt
        refused = client.post("/v1/annotate/download", json={"text": text, "format": "xml"})
        assert refused.status_code == 422
