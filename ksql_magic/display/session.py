"""What one kernel's magic has running: live views and datagen runs, so ``%ksql stop`` can
find them and kernel shutdown can end every thread."""

from __future__ import annotations

import threading


class Session:
    def __init__(self):
        self.views: dict = {}
        self.runs: list = []
        self._lock = threading.Lock()

    def track(self, view) -> None:
        with self._lock:
            self.views[view.query_id] = view

    def forget(self, view) -> None:
        with self._lock:
            if self.views.get(view.query_id) is view:
                del self.views[view.query_id]

    def add_run(self, run) -> None:
        with self._lock:
            self.runs.append(run)

    def running_ids(self) -> list:
        with self._lock:
            return list(self.views)

    def stop(self, query_id: str) -> bool:
        """Stop one live query by id (case-insensitive); False when none is shown."""
        with self._lock:
            match = next((v for q, v in self.views.items()
                          if str(q).upper() == query_id.upper()), None)
        if match is None:
            return False
        match.stop()
        return True

    def stop_all(self) -> int:
        with self._lock:
            views, runs = list(self.views.values()), list(self.runs)
            self.runs.clear()
        for view in views:
            view.stop()
        for run in runs:
            run.stop()
        return len(views) + len(runs)

    def close(self) -> None:
        """Kernel shutdown: stop generators and flusher threads (queries die with engines)."""
        with self._lock:
            views, runs = list(self.views.values()), list(self.runs)
            self.views.clear()
            self.runs.clear()
        for run in runs:
            run.stop()
        for view in views:
            view.close()
