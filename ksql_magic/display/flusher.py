"""The one background thread per live view: pull changes, write widget traits, throttled.

Why it looks like this: trait writes from a thread reach the front end through ipykernel's
IOPub thread (fine on ipykernel >= 6.29, not 7.0.x), but ``print``/``display`` from a thread
would land in whatever cell runs at the time, so the thread only ever calls ``view.flush()``,
which assigns traits. It wakes ``refresh_rate`` times a second at most, so however fast the
stream, the front end gets a bounded number of messages (Jupyter Server drops IOPub output
past 1,000 msg/s). It ends when the query ends (after one last flush) or when closed.
"""

from __future__ import annotations

import threading

FINAL_STATES = frozenset({"STOPPED", "DONE", "ERROR"})


class Flusher:
    def __init__(self, view, interval: float):
        self.view, self.interval = view, interval
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="ksql-flusher-%s" % view.query_id)

    def start(self) -> "Flusher":
        self._thread.start()
        return self

    def close(self, timeout: float = 2.0) -> None:
        """Stop the thread and wait for it (never from the thread itself)."""
        self._closed.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._closed.wait(self.interval):
            try:
                state = self.view.flush()
            except Exception as exc:     # noqa: BLE001 - shown in the status line, not raised
                self.view.fail("display: %s: %s" % (type(exc).__name__, exc))
                return
            if state in FINAL_STATES:
                return
