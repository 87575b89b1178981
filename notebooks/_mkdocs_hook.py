"""MkDocs hook (``hooks:`` in ``mkdocs.yml``): publish the notebooks of this folder.

The notebooks live in ``notebooks/`` beside ``docs/``, as jupytext percent-format ``.py``
files. This hook adds each ``NN_name.py`` to the site as ``notebooks/NN_name.py`` before
mkdocs-jupyter looks at the files, so that plugin renders them (without executing them) and
the nav can list them. Not a notebook itself: the tests and the site only pick up files named
``NN_*.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

NOTEBOOK_DIR = Path(__file__).resolve().parent


@event_priority(100)  # before mkdocs-jupyter (priority 0) wraps the notebook files
def on_files(files: Files, config: Any) -> Files:
    for path in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py")):
        files.append(
            File(
                f"{NOTEBOOK_DIR.name}/{path.name}",
                src_dir=str(NOTEBOOK_DIR.parent),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files
