"""The NONE format: no columns, so nothing is read (any bytes are ignored) or written.

It is the key format of keyless streams; validation rejects it when columns exist.
"""

from __future__ import annotations

from .base import Failure, Serde


def _read(data):
    return None if data is None else []


def _write(values):
    return None


def make(columns, is_key: bool, properties: dict, fail: Failure) -> Serde:
    return Serde("NONE", is_key, _read, _write)
