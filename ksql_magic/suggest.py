"""Did-you-mean hints for unknown names: one helper, called where a source or a column
is not found, so a typo (``authorisation_attempts``, ``CARD_NUMER``) names its fix.

Why difflib: the candidates are the catalog's sources or a scope's columns, a few dozen at
most; ``get_close_matches`` ranks them by similarity with no dependency.
"""

from __future__ import annotations

import difflib


def did_you_mean(name: str, candidates) -> str:
    """`` Did you mean 'X'?`` (or ``'X' or 'Y'``) for the closest candidates, else ''.

    Compared case-insensitively (unquoted names are upper-cased by the parser, the user
    typed them in any case); the suggestion is spelled as the catalog spells it."""
    by_upper = {}
    for c in candidates:
        by_upper.setdefault(str(c).upper(), str(c))
    wanted = str(name).upper()
    if not wanted or wanted in by_upper:
        return ""
    close = difflib.get_close_matches(wanted, list(by_upper), n=2, cutoff=0.75)
    if not close:
        return ""
    return " Did you mean %s?" % " or ".join("'%s'" % by_upper[c] for c in close)
