"""The page: the template, its script and style, and the data, in one HTML file.

The script and the style are inlined and allowed by their SHA-256 hashes in the page's
Content-Security-Policy, which also forbids every request (``default-src 'none'``) except
map tiles from the one origin the page was written with: the page works offline, and a
browser enforces that it does not reach out.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["render_page"]

_MARKER = re.compile(r"@@(\w+)@@")


@cache
def _asset(name: str) -> str:
    return (resources.files("control_graph.webmap") / "static" / name).read_text("utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _tile_origin(url: str) -> str:
    """The origin tiles come from, for the policy: ``{s}`` subdomains become a wildcard."""
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host.replace('{s}', '*')}"


def _json(data: Mapping[str, Any]) -> str:
    """JSON that cannot end the script element it sits in (``<`` only occurs in strings)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c")


def render_page(data: Mapping[str, Any]) -> str:
    """The HTML page showing ``data`` (from :func:`control_graph.webmap.map_data`).

    Examples
    --------
    >>> import control_graph as cg
    >>> from control_graph.webmap import map_data, render_page
    >>> model = cg.open("sqlite://")
    >>> _ = model.import_file(cg.sample_path())
    >>> page = render_page(map_data(model))
    >>> page.startswith("<!DOCTYPE html>"), "https://" in page.split("<script")[0]
    (True, False)
    """
    from control_graph import __version__

    script, style = _asset("map.js"), _asset("map.css")
    tiles = data.get("tiles")
    images = "data: blob:" + (f" {_tile_origin(tiles['url'])}" if tiles else "")
    csp = (
        f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; "
        f"img-src {images}; base-uri 'none'; form-action 'none'"
    )
    parts = {
        "csp": html.escape(csp),
        "version": __version__,
        "title": html.escape(str(data.get("title") or "control-graph map")),
        "style": style,
        "script": script,
        "data": _json(data),
    }
    return _MARKER.sub(lambda match: parts[match[1]], _asset("map.html"))
