"""MkDocs hook (``hooks:`` in ``mkdocs.yml``): publish the notebooks of this folder, with their
tables and figures.

The notebooks live in ``notebooks/`` beside ``docs/``, as jupytext percent-format ``.py``
files without outputs. For each ``NN_name.py`` this hook adds a page ``notebooks/NN_name.py``
(the name the nav lists) before mkdocs-jupyter looks at the files:

- if an executed copy of the notebook is in the cache (``.cache/notebooks/`` at the root, or
  ``$HEMOPT_NOTEBOOK_CACHE``) for the current notebook *and* the current hemopt source, the
  page is rendered from it, outputs included (:func:`on_pre_page` points the page's source at
  the copy, so the page keeps its name);
- otherwise, when ``HEMOPT_DOCS_EXECUTE=1`` (``make docs`` sets it), the notebook is executed
  now, in a fresh kernel of this interpreter, and the executed copy is cached;
- otherwise the page shows the code without outputs (``mkdocs build`` and the docs test stay
  fast), and the build log says how to get the outputs.

The cache key is a hash of the notebook, of this hook and of every file of the ``hemopt``
package, so a page never shows outputs of an older notebook or an older hemopt. Executing all
four notebooks takes one to two minutes on 2 cores.

Run as a script to execute one notebook into a file: ``python notebooks/_mkdocs_hook.py
execute notebooks/01_quickstart.py out.ipynb``. Not a notebook itself: the tests and the site
only pick up files named ``NN_*.py``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

NOTEBOOK_DIR = Path(__file__).resolve().parent
ROOT = NOTEBOOK_DIR.parent
PACKAGE_DIR = ROOT / "hemopt"
#: Seconds a single cell may take.
CELL_TIMEOUT_S = 900
KERNEL_NAME = "hemopt-docs-python3"

log = logging.getLogger("mkdocs.hooks.notebooks")


def notebooks() -> list[Path]:
    """The notebooks of the site: ``notebooks/NN_*.py``, sorted."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))


def cache_dir() -> Path:
    """Where executed notebooks are kept (``$HEMOPT_NOTEBOOK_CACHE`` or ``.cache/notebooks``)."""
    env = os.environ.get("HEMOPT_NOTEBOOK_CACHE")
    return Path(env) if env else ROOT / ".cache" / "notebooks"


def source_key(path: Path) -> str:
    """A hash of the notebook, of this hook (it executes them) and of every file of the hemopt
    package (16 hex digits)."""
    h = hashlib.sha256()
    h.update(path.read_bytes())
    h.update(Path(__file__).read_bytes())
    for f in sorted(PACKAGE_DIR.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(PACKAGE_DIR)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def cache_path(path: Path, key: str | None = None, cache: Path | None = None) -> Path:
    """The cached executed copy of notebook ``path`` for the current sources, in ``cache``
    (default :func:`cache_dir`)."""
    return (cache or cache_dir()) / f"{path.stem}-{key or source_key(path)}.ipynb"


# Runs in a child process, so that the kernel and its sockets never live in mkdocs' process.
_RUNNER = r"""
import json, os, sys, tempfile
import jupytext, nbclient, nbformat
from ipykernel.kernelspec import write_kernel_spec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

src, out, kernel_name, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
INLINE = "module://matplotlib_inline.backend_inline"  # figures become outputs
nb = jupytext.read(src)
with tempfile.TemporaryDirectory() as kernels:
    write_kernel_spec(path=os.path.join(kernels, kernel_name),
                      overrides={"display_name": "hemopt docs (Python 3)",
                                 "env": {"MPLBACKEND": INLINE,
                                         "PYDEVD_DISABLE_FILE_VALIDATION": "1"}})
    km = KernelManager(kernel_name=kernel_name,
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[kernels]))
    folder = os.path.dirname(os.path.abspath(src))
    client = nbclient.NotebookClient(nb, km=km, timeout=timeout, kernel_name=kernel_name,
                                     resources={"metadata": {"path": folder}})
    client.execute(cwd=folder, env={**os.environ, "MPLBACKEND": INLINE})
nb.metadata.pop("jupytext", None)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                             "language": "python"}
nbformat.write(nb, out)
"""


def execute(path: Path, out: Path, *, timeout_s: int = CELL_TIMEOUT_S) -> Path:
    """Execute notebook ``path`` in a fresh kernel of this interpreter (working directory:
    the notebook's folder; matplotlib's inline backend, so figures become outputs) and write
    the executed ``.ipynb`` to ``out`` (atomically). Raises :class:`RuntimeError` with the
    kernel's error if a cell fails."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".ipynb", dir=out.parent)
    os.close(fd)
    try:
        r = subprocess.run([sys.executable, "-c", _RUNNER, str(path), tmp, KERNEL_NAME,
                            str(timeout_s)], capture_output=True, text=True,
                           env={**os.environ, "MPLBACKEND": "Agg"})  # the runner draws nothing
        if r.returncode != 0:
            raise RuntimeError(f"executing {path.name} failed:\n{r.stderr[-4000:]}")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def executed(path: Path, *, run: bool) -> Path | None:
    """The executed copy of ``path`` for the current sources: from the cache, or (``run``)
    executed now; ``None`` when there is none and ``run`` is false. Stale copies of the same
    notebook are removed when a new one is written."""
    key = source_key(path)
    target = cache_path(path, key)
    if target.exists():
        return target
    if not run:
        return None
    log.info("executing %s for the documentation ...", path.name)
    execute(path, target)
    for old in cache_dir().glob(f"{path.stem}-*.ipynb"):
        if old != target:
            old.unlink()
    return target


def _execute_requested() -> bool:
    return os.environ.get("HEMOPT_DOCS_EXECUTE", "") not in ("", "0", "false", "no")


#: Executed copies found or made by :func:`on_files`, by the page's ``src_uri``.
_EXECUTED: dict[str, str] = {}


@event_priority(100)  # before mkdocs-jupyter (priority 0) wraps the notebook files
def on_files(files: Any, config: Any) -> Any:
    run = _execute_requested()
    missing = []
    _EXECUTED.clear()
    for path in notebooks():
        src_uri = f"{NOTEBOOK_DIR.name}/{path.name}"
        files.append(File(src_uri, src_dir=str(ROOT), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
        nb = executed(path, run=run)
        if nb is not None:
            _EXECUTED[src_uri] = str(nb)
        else:
            missing.append(path.name)
    if missing:
        log.info("notebooks without outputs (no executed copy for the current sources): %s; "
                 "`make docs` (HEMOPT_DOCS_EXECUTE=1) executes them", ", ".join(missing))
    return files


@event_priority(100)  # before mkdocs-jupyter renders the page from ``abs_src_path``
def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    """Point a notebook page with an executed copy at that copy (the page keeps its name,
    so the nav and the links to ``notebooks/NN_name.py`` stay valid)."""
    nb = _EXECUTED.get(page.file.src_uri)
    if nb is not None:
        page.file.abs_src_path = nb  # an instance value overrides File's cached property
    return page


def _main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "execute":
        execute(Path(argv[1]), Path(argv[2]))
        return 0
    if argv == ["execute-all"]:
        for path in notebooks():
            print(executed(path, run=True))
        return 0
    print(json.dumps({"usage": ["_mkdocs_hook.py execute NOTEBOOK.py OUT.ipynb",
                                "_mkdocs_hook.py execute-all"]}))
    return 2


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
