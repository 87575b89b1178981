"""Docs that cannot go stale: regenerate every generated block of figures in docs/, stamped
with a hash of the sources the figures depend on.

A generated block in a Markdown page looks like this (the stamp is an HTML comment, invisible
on the site)::

    <!-- generated: validation-strangnas; by benchmarks/validation.py --preset strangnas ...;
         sources sha256: 3f2a...; runtime 1,234 s -->
    ...the script's output...
    <!-- end generated: validation-strangnas -->

``tests/test_docs_figures.py`` fails when a block's hash differs from the hash of the current
sources (:data:`SOURCES`): the code the figures were computed with has changed since, and the
block must be regenerated. A block stamped ``sources sha256: pending`` was never generated
(the test skips it, saying so).

Run (one command; ``make docs-figures`` does the same)::

    .venv/bin/python benchmarks/docs_figures.py            # every block
    .venv/bin/python benchmarks/docs_figures.py --only compare-headline
    .venv/bin/python benchmarks/docs_figures.py --check    # exit 1 when a block is stale

Runtime: the blocks' own stamps give it (each block records its runtime).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The result-relevant sources: a change in any of them can change a figure on a docs page.
#: (The report, the CLI and the plotting are left out: they show figures, not compute them.)
SOURCES: tuple[str, ...] = (
    "hemopt/assignment.py", "hemopt/bases.py", "hemopt/choice.py", "hemopt/compare.py",
    "hemopt/decompose.py", "hemopt/evaluate.py", "hemopt/flow/*.py",
    "hemopt/geo.py", "hemopt/kpis.py", "hemopt/ranges.py", "hemopt/regimes/*.py",
    "hemopt/roster.py", "hemopt/routing/*.py", "hemopt/day/*.py",
    "hemopt/tables.py", "hemopt/travel.py", "hemopt/variants.py", "hemopt/zones.py",
    "hemopt/areas.py", "hemopt/procurement.py", "hemopt/regions.py", "hemopt/settings.py",
    "hemopt/continuity/*.py", "hemopt/scenario/*.py", "hemopt/synth/*.py",
    "hemopt/assumptions.py", "hemopt/costs.py", "hemopt/data/**/*",
    "benchmarks/validation.py", "benchmarks/fairness_rules.py", "benchmarks/continuity.py",
    "benchmarks/docs_figures.py",
)

PENDING = "pending"
_BEGIN = re.compile(r"<!-- generated: (?P<id>[\w-]+); by (?P<cmd>[^;]*); sources sha256: "
                    r"(?P<hash>[0-9a-f]{64}|pending)(?:; runtime (?P<rt>[^>]*?))? -->\n")


def source_files(root: Path = ROOT, sources: Sequence[str] = SOURCES) -> list[Path]:
    """The files of ``sources`` (globs relative to ``root``), sorted, caches left out."""
    files: set[Path] = set()
    for pattern in sources:
        files.update(p for p in root.glob(pattern)
                     if p.is_file() and "__pycache__" not in p.parts)
    return sorted(files)


def sources_hash(root: Path = ROOT, sources: Sequence[str] = SOURCES) -> str:
    """sha256 over the sources' relative paths and bytes (line endings normalised)."""
    h = hashlib.sha256()
    for p in source_files(root, sources):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(p.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Block:
    """A generated block: its id, the page and the command whose stdout it holds."""

    id: str
    page: str
    argv: tuple[str, ...]

    @property
    def command(self) -> str:
        return " ".join(self.argv)


#: Every generated block of the docs.
BLOCKS: tuple[Block, ...] = (
    Block("validation-strangnas", "docs/validation.md",
          ("benchmarks/validation.py", "--preset", "strangnas", "--seeds", "1", "2", "3", "4",
           "5")),
    Block("validation-botkyrka", "docs/validation.md",
          ("benchmarks/validation.py", "--preset", "botkyrka", "--seeds", "1", "2", "3", "4",
           "5")),
    Block("validation-kolada", "docs/validation.md",
          ("benchmarks/continuity.py", "--kolada", "--seeds", "1,2,3")),
    Block("compare-rules", "docs/compare.md", ("benchmarks/fairness_rules.py",)),
    Block("compare-headline", "docs/compare.md",
          ("hemopt", "compare", "--preset", "strangnas", "--routing", "approx",
           "--no-continuity", "--seeds", "1-5", "--out", "{tmp}")),
)


@dataclass(frozen=True)
class Found:
    id: str
    command: str
    hash: str
    runtime: str | None
    start: int
    end: int


def find_blocks(text: str) -> list[Found]:
    """The generated blocks of a page, with their stamps and spans (begin to end marker)."""
    out = []
    for m in _BEGIN.finditer(text):
        end_marker = f"<!-- end generated: {m['id']} -->"
        end = text.find(end_marker, m.end())
        if end < 0:
            raise ValueError(f"generated block {m['id']!r} has no {end_marker!r}")
        out.append(Found(m["id"], m["cmd"], m["hash"], m["rt"], m.start(),
                         end + len(end_marker)))
    return out


def replace_block(text: str, block_id: str, command: str, body: str, digest: str,
                  runtime_s: float) -> str:
    """``text`` with the block ``block_id`` replaced by ``body``, stamped."""
    for f in find_blocks(text):
        if f.id == block_id:
            stamp = (f"<!-- generated: {block_id}; by {command}; sources sha256: {digest}; "
                     f"runtime {runtime_s:,.0f} s -->\n")
            return (text[:f.start] + stamp + body.rstrip("\n") + "\n"
                    + f"<!-- end generated: {block_id} -->" + text[f.end:])
    raise ValueError(f"no generated block {block_id!r} in the page")


def _run(block: Block, root: Path) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        argv = [a.replace("{tmp}", str(Path(tmp) / "out")) for a in block.argv]
        if argv[0].endswith(".py"):
            cmd = [sys.executable, *argv]
        else:
            cmd = [str(Path(sys.executable).parent / argv[0]), *argv[1:]]
        r = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"{block.command} failed:\n{r.stderr[-2000:]}")
    lines = [ln for ln in r.stdout.splitlines() if not ln.startswith("wrote ")]
    return "```text\n" + "\n".join(lines).strip("\n") + "\n```"


def regenerate(blocks: Sequence[Block] = BLOCKS, *, root: Path = ROOT,
               run: Callable[[Block, Path], str] = _run,
               sources: Sequence[str] = SOURCES) -> dict[str, float]:
    """Rerun each block's command and write its output and stamp into its page. Returns the
    runtime of each block (seconds)."""
    digest = sources_hash(root, sources)
    times = {}
    for b in blocks:
        t0 = time.perf_counter()
        body = run(b, root)
        times[b.id] = time.perf_counter() - t0
        page = root / b.page
        page.write_text(replace_block(page.read_text(encoding="utf-8"), b.id, b.command, body,
                                      digest, times[b.id]), encoding="utf-8")
        print(f"{b.id}: {times[b.id]:,.0f} s", file=sys.stderr)
    return times


def stale(root: Path = ROOT, sources: Sequence[str] = SOURCES,
          pages: Sequence[str] | None = None) -> list[tuple[str, str, str]]:
    """``(page, block id, stamped hash)`` of every generated block whose hash is not that of
    the current sources (``pending`` included)."""
    digest = sources_hash(root, sources)
    pages = pages if pages is not None else sorted({b.page for b in BLOCKS})
    out = []
    for page in pages:
        for f in find_blocks((root / page).read_text(encoding="utf-8")):
            if f.hash != digest:
                out.append((page, f.id, f.hash))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="+", metavar="ID", help="regenerate only these blocks")
    p.add_argument("--check", action="store_true", help="exit 1 when a block is stale")
    a = p.parse_args(argv)
    if a.check:
        bad = stale()
        for page, bid, h in bad:
            print(f"{page}: block {bid} is stale (stamped {h[:12]}, sources now "
                  f"{sources_hash()[:12]}): run benchmarks/docs_figures.py --only {bid}")
        return 1 if bad else 0
    chosen = [b for b in BLOCKS if not a.only or b.id in a.only]
    unknown = set(a.only or ()) - {b.id for b in BLOCKS}
    if unknown:
        p.error(f"unknown block ids {sorted(unknown)}; known: {[b.id for b in BLOCKS]}")
    regenerate(chosen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
