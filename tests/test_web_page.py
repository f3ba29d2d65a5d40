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
