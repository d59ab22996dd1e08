"""The fraud-detection notebook in a real browser: JupyterLab on loopback, Debian's chromium
driven by Playwright (never a downloaded browser).

Reads from the page's DOM that the live table and chart change while another cell runs,
that Stop stops them, that a trivial cell answers in under a second (median of five runs)
while 10,000 events/s stream into a windowed aggregate, and that the widget's update rate
stays within ``refresh_rate``. Saves a screenshot to build/browser/.
"""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "build" / "browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
REFRESH_RATE = 4
FAST_COUNT = 300_000            # 30 s at 10,000 events/s: long enough to measure in
TRIVIAL_RUNS = 5                # the median of five: one scheduler hiccup on a loaded
                                # 2-core machine (browser, server and kernel share it)
                                # is not the kernel's responsiveness

# Cell indexes in notebooks/04_fraud_detection.ipynb (see scripts/make_notebooks.py).
CONFIG, FRAUD, DATAGEN, ONE_PLUS_ONE, CHECK, FAST, COUNTS, TWO_PLUS_TWO = 2, 4, 5, 7, 8, 10, 11, 12

if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium not installed (scripts/ci_browser_setup.sh)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(tmp: Path) -> Path:
    """A copy of the fraud notebook (long fast stream) and JupyterLab settings without the
    news prompt, all in a temporary directory."""
    nb = nbformat.read(ROOT / "notebooks" / "04_fraud_detection.ipynb", as_version=4)
    nb.cells[FAST].source = nb.cells[FAST].source.replace("--count 50000",
                                                          "--count %d" % FAST_COUNT)
    work = tmp / "work"
    work.mkdir()
    nbformat.write(nb, work / "fraud.ipynb")
    settings = tmp / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Render every cell: with JupyterLab's windowed notebook, cells scrolled out of view are
    # detached from the DOM, and a locator can lose its element mid-action.
    notebook_settings = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    notebook_settings.mkdir(parents=True)
    (notebook_settings / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    return work


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    work = prepare(tmp)
    port, token = free_port(), "ksql-browser-test"
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           "--port=%d" % port, "--IdentityProvider.token=%s" % token, "--allow-root",
           "--ServerApp.root_dir=%s" % work, "--LabApp.news_url=", "--ServerApp.open_browser=False"]
    log = open(tmp / "lab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen("%s/api/status?token=%s" % (base, token), timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("JupyterLab did not start: %s" % (tmp / "lab.log").read_text()[-2000:])
    yield "%s/lab/tree/fraud.ipynb?token=%s" % (base, token), tmp
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def page(lab):
    url, tmp = lab
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 1000})
        pg = context.pages[0] if context.pages else context.new_page()
        pg.goto(url)
        pg.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        wait_idle(pg, 90)
        yield pg
        context.close()


def wait_idle(pg, seconds: float) -> None:
    pg.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                         timeout=seconds * 1000)


def cell(pg, index: int):
    return pg.locator(".jp-Notebook .jp-Cell").nth(index)


def run_cell(pg, index: int) -> float:
    """Select cell ``index`` and Shift+Enter it; returns the time it was sent."""
    target = cell(pg, index)
    for attempt in range(5):      # a re-render may replace the element between lookups
        try:
            target.scroll_into_view_if_needed(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - playwright raises its own Error type
            if attempt == 4:
                raise
            time.sleep(0.5)
    target.locator(".jp-InputPrompt").first.click()
    pg.keyboard.press("Escape")
    sent = time.monotonic()
    pg.keyboard.press("Shift+Enter")
    return sent


def answer_time(pg, index: int, answer: str, seconds: float = 10) -> float:
    """Run cell ``index`` again and return the seconds from Shift+Enter until its new
    execution count and ``answer`` show in the page (checked in the page every 50 ms)."""
    before = prompt(pg, index)
    sent = run_cell(pg, index)
    pg.wait_for_function("""([i, before, answer]) => {
        const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
        const p = c.querySelector('.jp-InputPrompt').textContent;
        const out = c.querySelector('.jp-OutputArea-output');
        return p !== before && !p.includes('*') && /[0-9]/.test(p)
            && out !== null && out.textContent.includes(answer);
    }""", arg=[index, before, answer], polling=50, timeout=seconds * 1000)
    return time.monotonic() - sent


def prompt(pg, index: int) -> str:
    return cell(pg, index).locator(".jp-InputPrompt").first.inner_text()


def wait_done(pg, index: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = prompt(pg, index)
        if "[" in text and "*" not in text and any(ch.isdigit() for ch in text):
            return
        time.sleep(0.1)
    raise AssertionError("cell %d did not finish: %r" % (index, prompt(pg, index)))


def view_state(pg, index: int) -> dict:
    """What the live view in cell ``index`` shows: table HTML, chart drawing, status text."""
    return pg.evaluate("""(i) => {
        const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
        const table = c.querySelector('.ksql-live-table');
        const chart = c.querySelector('.ksql-live-chart');
        const canvas = chart && chart.querySelector('canvas');
        const status = c.querySelector('.ksql-status');
        const stop = c.querySelector('.ksql-stop');
        return {table: table ? table.innerHTML : null,
                chart: canvas ? canvas.toDataURL() : (chart ? chart.innerHTML : null),
                status: status ? status.textContent : null,
                stopDisabled: stop ? stop.disabled : null};
    }""", index)


def samples(pg, index: int, count: int, every: float) -> list:
    out = []
    for _ in range(count):
        out.append(view_state(pg, index))
        time.sleep(every)
    return out


def test_fraud_notebook_live_in_the_browser(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i in range(0, DATAGEN + 1):
        run_cell(page, i)
        if i > 0:
            wait_done(page, i, 120)
    page.wait_for_selector(".ksql-live-table", timeout=60_000)
    page.wait_for_selector(".ksql-live-chart", timeout=60_000)

    # The live table and chart change while another cell (the check loop) executes.
    run_cell(page, CHECK)
    time.sleep(1.0)
    seen = samples(page, FRAUD, 5, 1.0)
    assert "*" in prompt(page, CHECK), "the check cell should still be running"
    assert len({s["table"] for s in seen}) >= 2, "live table did not change"
    assert len({s["chart"] for s in seen}) >= 2, "live chart did not change"
    assert "RUNNING" in seen[-1]["status"]
    cell(page, FRAUD).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "fraud_live.png"), full_page=False)
    wait_done(page, CHECK, 120)
    assert "CHECK OK" in cell(page, CHECK).inner_text()

    # 10,000 events/s into windowed aggregates; the kernel still answers at once.
    run_cell(page, FAST)
    wait_done(page, FAST, 60)
    run_cell(page, COUNTS)
    wait_done(page, COUNTS, 60)
    time.sleep(3)
    counts_status = view_state(page, COUNTS)["status"]
    latencies = [answer_time(page, TWO_PLUS_TWO, "4") for _ in range(TRIVIAL_RUNS)]
    latency = statistics.median(latencies)
    assert latency < 1.0, "trivial cell took %s s while streaming" % latencies

    # The widget's update rate stays within refresh_rate while the stream runs.
    rate = page.evaluate("""([i, ms]) => new Promise(resolve => {
        const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];
        const t = c.querySelector('.ksql-live-table');
        let n = 0;
        const obs = new MutationObserver(() => { n += 1; });
        obs.observe(t, {childList: true, subtree: true, characterData: true});
        setTimeout(() => { obs.disconnect(); resolve(n / (ms / 1000)); }, ms);
    })""", [COUNTS, 4000])
    assert 0 < rate <= REFRESH_RATE * 1.5, "table updated %.1f times/s" % rate
    assert "RUNNING" in counts_status and "rec/s" in counts_status

    # Stop stops the fraud query's table and chart (new bursts keep arriving meanwhile).
    before = view_state(page, FRAUD)
    cell(page, FRAUD).locator(".ksql-stop").click()
    time.sleep(1.5)
    after = samples(page, FRAUD, 3, 1.0)
    assert "STOPPED" in after[0]["status"] and after[0]["stopDisabled"]
    assert len({s["table"] for s in after}) == 1 and len({s["chart"] for s in after}) == 1
    cell(page, FRAUD).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "fraud_stopped.png"), full_page=False)
    (ARTIFACTS / "timings.json").write_text(json.dumps(
        {"trivial_cell_s": latencies, "trivial_cell_median_s": latency, "table_updates_per_s": rate,
         "counts_status": counts_status, "fraud_status_before_stop": before["status"]},
        indent=2))
    run_cell(page, TWO_PLUS_TWO + 2)     # %ksql stop all
