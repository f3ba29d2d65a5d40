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


def _client():
    from fastapi.testclient import TestClient

    from innkit.registry import Registry
    from innkit.web.app import create_app

    return TestClient(create_app(registry=Registry(None), time_limit_s=600),
                      base_url="http://127.0.0.1")


def test_openapi_describes_each_answer():
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    with _client() as client:
        spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def answer(path: str, method: str) -> dict:
        content = spec["paths"][path][method]["responses"]["200"]["content"]
        return content["application/json"]["schema"]

    assert answer("/v1/decode", "get")["$ref"].endswith("/DecodingAnswer")
    assert answer("/v1/annotate", "post")["items"]["$ref"].endswith("/MentionAnswer")
    assert answer("/v1/registry", "get")["items"]["$ref"].endswith("/SearchHitAnswer")
    for name, keys in (("DecodingAnswer", {"segmentation", "substance", "kind"}),
                       ("MentionAnswer", {"start", "end", "how", "decoding"}),
                       ("SubstanceAnswer", {"unii", "curie", "ambiguous", "denotes"})):
        assert keys <= set(schemas[name]["properties"]), name
        assert schemas[name]["description"]


def test_the_decoding_matches_its_description():
    """The answer of the library fits the model the description names (keys and types)."""
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from innkit.web.answers import ExplainAnswer, MentionAnswer

    with _client() as client:
        for name in ("inotuzumab ozogamicin", "Ketas", "beta-blockers", "zzzq"):
            ExplainAnswer.model_validate(client.get("/v1/explain",
                                                    params={"name": name}).json())
        for m in client.post("/v1/annotate", json={"text": "Ketas and Kadcyla."}).json():
            MentionAnswer.model_validate(m)


def test_api_pages_are_served_offline():
    pytest.importorskip("swagger_ui_bundle", reason="swagger-ui-bundle-v2 is not installed")
    with _client() as client:
        page = client.get("/docs")
        assert page.status_code == 200
        for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
            assert src.startswith("/"), src  # nothing from another site
            assert client.get(src).status_code == 200, src
        assert "/openapi.json" in client.get("/static/docs.js").text
