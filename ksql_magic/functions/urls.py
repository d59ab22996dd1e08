"""URL functions (ksqlDB category URL): URL_EXTRACT_*, URL_ENCODE_PARAM, URL_DECODE_PARAM.

Parsing follows java.net.URI closely enough for ksqlDB's cases: a URL that does not parse
gives NULL, and a missing component gives NULL.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote_plus, unquote_plus, urlsplit

from .registry import scalar

U = "URL"


def _split(url):
    if url is None:
        return None
    try:
        return urlsplit(url)
    except ValueError:
        return None


def _component(name, desc, get, keep_empty=False):
    """``keep_empty``: Java's URI.getPath() gives "" for a URL without a path, where the
    other parts give null."""
    def fn(url):
        parts = _split(url)
        if parts is None:
            return None
        try:
            value = get(parts)
        except ValueError:
            return None
        if value == "" and keep_empty:
            return value
        return value if value not in ("", None) else None
    scalar(name, ["STRING input"], "INTEGER" if name.endswith("PORT") else "STRING", U,
           desc)(fn)


_component("URL_EXTRACT_PROTOCOL", "The protocol of a URL.", lambda p: p.scheme)
_component("URL_EXTRACT_HOST", "The host of a URL.", lambda p: p.hostname)
_component("URL_EXTRACT_PORT", "The port of a URL.", lambda p: p.port)
_component("URL_EXTRACT_PATH", "The decoded path of a URL.",
           lambda p: unquote_plus(p.path.replace("+", "%2B")), keep_empty=True)
_component("URL_EXTRACT_QUERY", "The decoded query of a URL.", lambda p: p.query and unquote_plus(p.query.replace("+", "%2B")))
_component("URL_EXTRACT_FRAGMENT", "The decoded fragment of a URL.", lambda p: p.fragment and unquote_plus(p.fragment.replace("+", "%2B")))


@scalar("URL_EXTRACT_PARAMETER", ["STRING input", "STRING paramToFind"], "STRING", U,
        "The decoded value of the first query parameter with a name.")
def url_extract_parameter(url, name):
    parts = _split(url)
    if parts is None or name is None:
        return None
    for pair in parts.query.split("&"):
        k, sep, v = pair.partition("=")
        if unquote_plus(k) == name:
            return unquote_plus(v) if sep else None
    return None


@scalar("URL_ENCODE_PARAM", ["STRING input"], "STRING", U,
        "Escapes a value for use as a URL query parameter.")
def url_encode_param(s):
    return None if s is None else quote_plus(s, safe="*")


@scalar("URL_DECODE_PARAM", ["STRING input"], "STRING", U,
        "Unescapes a URL query parameter value.")
def url_decode_param(s):
    return None if s is None else unquote_plus(s)


_ = parse_qs
