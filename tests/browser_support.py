"""What the browser test (tests/browser_lessons.py) needs around it: Debian's chromium, a private
JupyterLab server on 127.0.0.1, and the JavaScript that reads the lessons' widgets in the page.

Nothing here touches the user's Jupyter state: the server gets its own config, data, runtime,
settings and workspace folders under a temporary directory, and is stopped (with its kernels,
one process group) when the ``with`` block ends, failed or not.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"

#: Written by ``make test`` when it could not install chromium (see the Makefile).
INSTALL_LOG = ROOT / "artifacts" / "chromium-install.log"

HOW_TO_INSTALL = (
    "Install it with `sudo apt-get install -y chromium` (Debian; `make test` does this by itself "
    "when run as root or with password-less sudo), or point SSD_COURSE_CHROMIUM at a "
    "Chromium/Chrome binary. The browser test does not download a browser."
)


def artifacts_dir() -> Path:
    """Screenshots and timings go here: ``$SSD_COURSE_ARTIFACTS``, else ``artifacts/``."""
    path = Path(os.environ.get("SSD_COURSE_ARTIFACTS") or ROOT / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def find_chromium() -> str:
    """The chromium binary, or an ``AssertionError`` saying it could not be installed and how."""
    wanted = os.environ.get("SSD_COURSE_CHROMIUM")
    candidates = [wanted] if wanted else ["chromium", "chromium-browser"]
    for name in candidates:
        path = shutil.which(name)
        if path:
            return path
    reason = ""
    if INSTALL_LOG.exists():
        tail = INSTALL_LOG.read_text(errors="replace").strip().splitlines()[-8:]
        reason = "\n`make test` tried to install it and failed; the end of its log " \
                 f"({INSTALL_LOG}):\n    " + "\n    ".join(tail)
    raise AssertionError(
        f"chromium could not be installed or found ({' or '.join(candidates)} is not on PATH), "
        f"so the lessons cannot be checked in a browser. {HOW_TO_INSTALL}{reason}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: JupyterLab user settings for the test: every cell stays in the page (no windowing, so the
#: DOM holds every output), and no news or update pop-up covers the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Lab:
    """A running JupyterLab server; ``url(path)`` adds the token."""

    port: int
    token: str
    root_dir: Path
    process: subprocess.Popen
    log_path: Path
    started_s: float = 0.0
    children: dict[int, int] = field(default_factory=dict)   # pid -> start time
    stopping: list[threading.Thread] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(f"{self.base}/api/{path.lstrip('/')}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def shutdown_kernels(self, ids: list[str] | None = None) -> None:
        """Stop the kernels ``ids``, by default every kernel (a lesson's kernel holds its model
        and a CPU thread); the server answers once each has exited."""
        try:
            if ids is None:
                ids = [k["id"] for k in self.api("kernels")]
            for kernel in ids:
                try:
                    self.api(f"kernels/{kernel}", method="DELETE")
                except urllib.error.HTTPError:   # gone already
                    pass
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def shutdown_kernels_later(self) -> None:
        """Stop every kernel running now, in a thread: the next lesson opens while the server
        waits a second or two for them to exit. Kernels started after this call stay."""
        try:
            ids = [k["id"] for k in self.api("kernels")]
        except (OSError, urllib.error.URLError, ValueError):
            return
        thread = threading.Thread(target=self.shutdown_kernels, args=(ids,), daemon=True)
        thread.start()
        self.stopping.append(thread)


def start_lab(workdir: Path, lessons: list[Path], env_extra: dict[str, str] | None = None,
              ready_timeout: float = 120.0) -> Lab:
    """Copy ``lessons`` into ``workdir/root`` and start JupyterLab on them; wait until it answers.

    The server runs in its own process group (its kernels too), so :func:`stop_lab` stops all
    of them at once. ``SSD_COURSE_QUICK=1`` is in the environment; the kernels inherit it.
    """
    root = workdir / "root"
    root.mkdir(parents=True)
    for nb in lessons:                       # lessons/<edition>/<lesson> -> root/<edition>/<lesson>
        (root / nb.parent.name).mkdir(exist_ok=True)
        shutil.copy2(nb, root / nb.parent.name / nb.name)
    dirs = {name: workdir / name for name in ("config", "data", "runtime", "settings",
                                              "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir()
    for name, value in LAB_SETTINGS.items():
        plugin, file = name.rsplit("/", 1)
        (dirs["settings"] / plugin).mkdir(parents=True, exist_ok=True)
        (dirs["settings"] / plugin / file).write_text(json.dumps(value))

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JPY_", "IPYTHON"))}
    env.update({
        "SSD_COURSE_QUICK": "1",
        "OMP_WAIT_POLICY": "PASSIVE",
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "IPYTHONDIR": str(dirs["ipython"]),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(env_extra or {})
    port, token = free_port(), secrets.token_hex(16)
    args = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={dirs['settings']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
        # window.jupyterapp: the test reads each cell's outputs from the notebook's model.
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log_path = workdir / "jupyterlab.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    lab = Lab(port=port, token=token, root_dir=root, process=process, log_path=log_path)
    t0 = time.perf_counter()
    while True:
        if process.poll() is not None:
            tail = lab.log_tail()
            stop_lab(lab)
            raise RuntimeError(f"JupyterLab exited with code {process.returncode}:\n{tail}")
        try:
            lab.api("status")
            break
        except (OSError, urllib.error.URLError, ValueError):
            pass
        if time.perf_counter() - t0 > ready_timeout:
            tail = lab.log_tail()
            stop_lab(lab)
            raise RuntimeError(f"JupyterLab did not answer within {ready_timeout:.0f} s:\n{tail}")
        time.sleep(0.25)
    lab.started_s = time.perf_counter() - t0
    return lab


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a live process, read from /proc; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()   # after "pid (name) "
    return int(fields[1]), int(fields[19])


def descendants(pid: int) -> dict[int, int]:
    """Every live descendant of ``pid`` as {pid: start time} (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        info = _proc_stat(int(entry.name))
        if info:
            children.setdefault(info[0], []).append(int(entry.name))
            starts[int(entry.name)] = info[1]
    found, todo = {}, [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found[child] = starts[child]
                todo.append(child)
    return found


def remember_children(lab: Lab) -> None:
    """Note the server's kernels now: they run in sessions of their own (jupyter_client starts
    them so), so stopping the server's process group alone would not stop them."""
    lab.children.update(descendants(lab.process.pid))


def cpu_seconds(pids) -> float:
    """CPU seconds (user and system) that the live processes ``pids`` have used so far
    (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()   # fields[11], [12]: utime, stime
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK") if total else 0.0


def stop_lab(lab: Lab, grace: float = 10.0) -> None:
    """Stop the server and every process it started: its kernels first through the API, then
    the server's process group, then any kernel still alive (SIGKILL)."""
    for thread in lab.stopping:
        thread.join(timeout=grace)
    if lab.process.poll() is None:
        remember_children(lab)
        lab.shutdown_kernels()
        remember_children(lab)
    try:
        os.killpg(lab.process.pid, signal.SIGTERM)   # start_new_session: pgid == pid
    except ProcessLookupError:
        pass
    try:
        lab.process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(lab.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    lab.process.wait(timeout=grace)
    for pid, start in lab.children.items():
        info = _proc_stat(pid)
        if info and info[1] == start:          # the same process, not a reused pid
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# ------------------------------------------------------------------ in the page

#: Every explorer in the open notebook. An explorer is found by what it shows, not by its
#: class: an ``Output`` widget whose text is a ``state:`` line, inside the smallest widget box
#: that also holds an image and a slider. Each one gets ``data-bt-explorer=<index>``.
FIND_EXPLORERS = r"""
() => {
  const found = [];
  const lines = [...document.querySelectorAll('.jp-NotebookPanel .widget-output pre')]
    .filter(pre => pre.textContent.trim().startsWith('state:'));
  for (const pre of lines) {
    const out = pre.closest('.widget-output');
    const cell = pre.closest('.jp-Cell');
    let root = out.parentElement;
    while (root && root !== cell &&
           !(root.querySelector('img.widget-image') && root.querySelector('.widget-slider'))) {
      root = root.parentElement;
    }
    const index = found.length;
    const prompt = cell ? cell.querySelector('.jp-InputPrompt') : null;
    const cellIndex = cell ? [...document.querySelectorAll('.jp-NotebookPanel .jp-Cell')].indexOf(cell) : -1;
    const entry = {index, cell: cellIndex, prompt: prompt ? prompt.textContent.trim() : '',
                   state: pre.textContent.trim(), complete: !!root && root !== cell};
    if (entry.complete) {
      out.setAttribute('data-bt-state', index);
      root.setAttribute('data-bt-explorer', index);
      const title = root.querySelector('.widget-html-content');
      entry.title = title ? title.textContent.trim().slice(0, 80) : '';
      entry.sliders = [...root.querySelectorAll('.widget-slider')].map(s => {
        const label = s.querySelector('.widget-label');
        return label ? label.textContent.trim() : '';
      });
    }
    found.push(entry);
  }
  return found;
}
"""

#: The current ``state:`` line and a hash of the current figure's bytes of one explorer.
READ_EXPLORER = r"""
async (index) => {
  const root = document.querySelector(`[data-bt-explorer="${index}"]`);
  const out = document.querySelector(`[data-bt-state="${index}"]`);
  if (!root || !out) return null;
  const pre = [...out.querySelectorAll('pre')].map(p => p.textContent.trim())
    .filter(t => t.startsWith('state:'));
  const img = root.querySelector('img.widget-image');
  let hash = null, size = 0;
  if (img && img.src) {
    try {
      const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
      let h = 2166136261;
      for (let i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 16777619) >>> 0; }
      hash = h.toString(16);
      size = bytes.length;
    } catch (e) { hash = null; }   // the blob was just replaced: read again
  }
  return {state: pre.length === 1 ? pre[0] : pre.join(' | '), lines: pre.length, hash, size,
          width: img ? img.naturalWidth : 0};
}
"""

#: Close every notebook open in JupyterLab (as not modified: no dialog asks to save it); false
#: when the page shows no JupyterLab (``window.jupyterapp``).
CLOSE_NOTEBOOKS = r"""
() => {
  const app = window.jupyterapp;
  if (!app) return false;
  for (const w of [...app.shell.widgets('main')]) {
    if (w.context && w.context.model) w.context.model.dirty = false;
    w.close();
  }
  return true;
}
"""

#: Open a notebook (its path in the server's folder) in the page's JupyterLab, and close what
#: else the main area shows (the launcher that JupyterLab opens once the area is empty).
OPEN_NOTEBOOK = r"""
async (path) => {
  const app = window.jupyterapp;
  const notebook = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  for (const w of [...app.shell.widgets('main')]) {
    if (w !== notebook) w.close();
  }
  return true;
}
"""

#: Every error output in the model of the open notebook ``path`` (what the kernel sent for an
#: exception or a syntax error, as saved in the .ipynb): ``[{cell, count, ename, evalue,
#: traceback}]``, ``cell`` counting code cells from 0; null when the app or notebook is not
#: there.
ERROR_OUTPUTS = r"""
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  let panel = null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) panel = w;
  }
  if (!panel) return null;
  const found = [], cells = panel.content.model.cells;
  let code = -1;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    code++;
    for (const o of cell.outputs.toJSON()) {
      if (o.output_type === 'error') {
        found.push({cell: code, count: cell.executionCount, ename: o.ename, evalue: o.evalue,
                    traceback: (o.traceback || []).join('\n')});
      }
    }
  }
  return found;
}
"""

#: Outputs that failed to show (the messages JupyterLab and ipywidgets put in their place), and
#: every traceback in the notebook.
FIND_ERRORS = r"""
() => {
  const bad = [];
  const outputs = document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output');
  for (const o of outputs) {
    const text = o.textContent || '';
    const cell = o.closest('.jp-Cell');
    const prompt = cell ? (cell.querySelector('.jp-InputPrompt') || {}).textContent : '';
    for (const needle of ['Error displaying widget', 'Error rendering output',
                          'Traceback (most recent call last)']) {
      if (text.includes(needle) && !o.querySelector('.jp-OutputArea-output')) {
        bad.push({prompt: (prompt || '').trim(), needle, text: text.trim().slice(0, 1500)});
      }
    }
  }
  // ipywidgets 8 shows a widget whose model or view cannot be created as a red box,
  // "Click to show javascript error." (the error itself is in the box, hidden).
  for (const w of document.querySelectorAll('.jp-NotebookPanel .jupyter-widgets-error-widget')) {
    const cell = w.closest('.jp-Cell');
    const prompt = cell ? (cell.querySelector('.jp-InputPrompt') || {}).textContent : '';
    bad.push({prompt: (prompt || '').trim(), needle: 'broken widget (Click to show javascript error.)',
              text: (w.textContent || '').trim().slice(0, 1500)});
  }
  return bad;
}
"""

#: Pictures in the outputs drawn wider than their pixels (blurry: a widget stretched a small
#: PNG to its box). Read while the window is as tall as the notebook, so every cell is laid out.
UPSCALED = r"""
() => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output img')]
  .filter(i => i.naturalWidth > 0 && i.clientWidth > i.naturalWidth * 1.1 + 4)
  .map(i => {
    const cell = i.closest('.jp-Cell');
    const prompt = cell ? (cell.querySelector('.jp-InputPrompt') || {}).textContent : '';
    return {prompt: (prompt || '').trim(), natural: i.naturalWidth, shown: i.clientWidth};
  })
"""

#: The input prompts of the code cells: "[3]:" ran, "[*]:" queued or running, "[ ]:" not run.
PROMPTS = r"""
() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent.trim())
"""

#: One handle of the ``n``-th slider of explorer ``index``, with its value and range.
SLIDER = r"""
([index, n]) => {
  const root = document.querySelector(`[data-bt-explorer="${index}"]`);
  const slider = root ? root.querySelectorAll('.widget-slider')[n] : null;
  const handle = slider ? slider.querySelector('.noUi-handle') : null;
  if (!handle) return null;
  const readout = slider.querySelector('.widget-readout');
  const target = slider.querySelector('.noUi-target');
  return {now: parseFloat(handle.getAttribute('aria-valuenow')),
          max: parseFloat(handle.getAttribute('aria-valuemax')),
          min: parseFloat(handle.getAttribute('aria-valuemin')),
          disabled: !!(target && target.hasAttribute('disabled')),
          readout: readout ? readout.textContent.trim() : ''};
}
"""

#: What the lesson wrote to stderr (warnings a student sees in red), for the artifacts.
STDERR = r"""
() => [...document.querySelectorAll(
          '.jp-NotebookPanel .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
        .map(o => o.textContent.trim().slice(0, 500))
"""

#: The CSS classes of the controls a student uses, and of the parts of a control that must be
#: seen whole (its description, its readout, its drop-down, its buttons).
CONTROLS = ", ".join(f".widget-{c}" for c in (
    "slider", "dropdown", "toggle-buttons", "toggle-button", "checkbox", "upload", "button",
    "text", "textarea", "select", "radio", "play", "colorpicker", "datepicker"))

#: Is the left side bar open, and how wide is it (0 when closed)? ``filebrowser``: is the file
#: browser the panel it shows?
SIDE_BAR = r"""
() => {
  const stack = document.querySelector('#jp-left-stack');
  const current = document.querySelector('.jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current');
  const open = !!stack && !stack.classList.contains('lm-mod-hidden') &&
               stack.getBoundingClientRect().width > 0;
  return {width: open ? stack.getBoundingClientRect().width : 0,
          filebrowser: open && !!current && current.dataset.id === 'filebrowser'};
}
"""

#: The place and size of every explorer and its figure, the notebook's height and scroll
#: position, and how many of its pictures are still loading: equal a few times in a row once
#: the page has settled after a resize or a scroll.
EXPLORER_RECTS = r"""
() => {
  const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
  const loading = [...document.querySelectorAll('.jp-NotebookPanel img')]
    .filter(i => !i.complete).length;
  return [s ? [s.scrollHeight, s.scrollTop, s.clientWidth] : [], loading,
          ...[...document.querySelectorAll('[data-bt-explorer]')].map(e => {
    const r = e.getBoundingClientRect(), img = e.querySelector('img.widget-image');
    return [r.left, r.top, r.width, r.height, img ? img.getBoundingClientRect().width : 0];
  })];
}
"""

#: Where explorer ``index``'s controls are, and which of them a student cannot see whole.
#:
#: A control (and each part of it: description label, readout, select, button) must lie
#: inside the explorer's box and inside the horizontal span that every clipping ancestor lets
#: through (any ancestor whose overflow is not ``visible``, up to the notebook panel, and the
#: window); its own text must fit (``scrollWidth`` within ``clientWidth``; for a ``select``,
#: the chosen option's text within the box). The figure (``img.widget-image``) and the text
#: boxes (``.widget-html``: title, tables) must be visible horizontally too, and the figure
#: must not be drawn smaller than its own size while its row has room for it.
#: Returns ``{root, figure, items: [{what, part, text, width, visible, left, right, by,
#: outside, clipped}]}``, px rounded; Python decides what counts as a problem.
LAYOUT = r"""
([index, controls]) => {
  const root = document.querySelector(`[data-bt-explorer="${index}"]`);
  if (!root) return null;
  const panel = root.closest('.jp-NotebookPanel');
  const px = v => Math.round(v);
  const name = el => (el === root ? 'the explorer box' : el.tagName.toLowerCase() +
    [...el.classList].filter(c => (c.startsWith('widget-') || c.startsWith('jp-')) &&
                                  c !== 'widget-container').map(c => '.' + c).join('')) +
    ` (${px(el.clientWidth)} px wide)`;
  const text = el => (el.textContent || '').replace(/[\u200b\s]+/g, ' ').trim();
  const shown = el => el.getClientRects().length > 0 &&
                      getComputedStyle(el).visibility !== 'hidden';
  // The horizontal span in which `el` can be seen, and the ancestor that narrows it most.
  const span = el => {
    let left = 0, right = document.documentElement.clientWidth, leftBy = 'the window',
        rightBy = 'the window';
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        const l = a.getBoundingClientRect().left + a.clientLeft, r = l + a.clientWidth;
        if (l > left) { left = l; leftBy = name(a); }
        if (r < right) { right = r; rightBy = name(a); }
      }
      if (a === panel) break;
    }
    return {left, right, leftBy, rightBy};
  };
  const box = root.getBoundingClientRect();
  const measure = (el, what, part) => {
    const r = el.getBoundingClientRect(), s = span(el);
    const cutLeft = Math.max(0, s.left - r.left), cutRight = Math.max(0, r.right - s.right);
    let clipped = 0;
    if (el.tagName === 'SELECT') {   // the chosen option's text against the box's inside
      const cs = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      const option = el.options[el.selectedIndex];
      const inside = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      clipped = option ? ctx.measureText(option.text).width - inside : 0;
    } else if (getComputedStyle(el).overflowX !== 'visible' || el.tagName === 'BUTTON') {
      clipped = el.scrollWidth - el.clientWidth;
    }
    return {what, part, text: text(el).slice(0, 60), width: px(r.width),
            visible: px(Math.max(0, Math.min(r.right, s.right) - Math.max(r.left, s.left))),
            left: px(cutLeft), right: px(cutRight),
            by: cutLeft >= cutRight ? s.leftBy : s.rightBy,
            outside: px(Math.max(box.left - r.left, r.right - box.right, box.top - r.top,
                                 r.bottom - box.bottom, 0)),
            clipped: px(Math.max(0, clipped))};
  };
  const items = [];
  const kind = el => ['toggle-buttons', 'toggle-button', 'slider', 'dropdown', 'checkbox', 'upload',
                      'button', 'textarea', 'text', 'select', 'radio', 'play', 'colorpicker',
                      'datepicker'].find(k => el.classList.contains('widget-' + k)) || 'control';
  for (const c of root.querySelectorAll(controls)) {
    if (!shown(c)) continue;
    const label = [...c.querySelectorAll(':scope > .widget-label, .widget-label-basic')]
      .map(text).find(t => t) || text(c);
    const what = `${kind(c).replace('-', ' ')} '${label.slice(0, 40)}'`;
    items.push(measure(c, what, null));
    const parts = c.querySelectorAll(':scope > .widget-label, .widget-label-basic, .widget-readout, ' +
                                     ':scope > select, :scope > .slider-container');
    for (const p of parts) {
      if (!shown(p) || !text(p) && !p.classList.contains('slider-container')) continue;
      const part = p.classList.contains('widget-readout') ? 'readout' : p.tagName === 'SELECT'
        ? 'drop-down' : p.classList.contains('slider-container') ? 'track' : 'label';
      items.push(measure(p, what, part));
    }
  }
  for (const h of root.querySelectorAll('.widget-html')) {
    if (!shown(h)) continue;
    const content = h.querySelector('.widget-html-content') || h;
    items.push(measure(content, `text '${text(h).slice(0, 40)}'`, null));
  }
  const img = root.querySelector('img.widget-image');
  let figure = null;
  if (img && shown(img)) {
    items.push(measure(img, 'the figure', null));
    const row = img.parentElement, rs = getComputedStyle(row), is = getComputedStyle(img);
    const room = row.clientWidth - parseFloat(rs.paddingLeft) - parseFloat(rs.paddingRight) -
                 parseFloat(is.marginLeft) - parseFloat(is.marginRight);
    figure = {width: px(img.getBoundingClientRect().width), natural: img.naturalWidth,
              room: px(room)};
  }
  return {root: {left: px(box.left), width: px(box.width), height: px(box.height)}, figure,
          items};
}
"""
