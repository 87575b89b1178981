"""The command line on adversarial inputs: one line ``hemopt: error: ...`` naming the file,
line, column and value, exit code 2, never a traceback; and nothing written.

Table-driven: each case writes its files, runs ``hemopt`` in this process and checks the
error line. The rules are on ``docs/refuses.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hemopt.cli import main

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
PROVIDERS = "provider_id,kind,x,y\nM,municipal,615380,6583650\nE1,external,614950,6584210\n"
HEADER = "client_id,x,y,hours_per_week\n"


def _write(tmp_path: Path, files: dict[str, str | bytes]) -> None:
    for name, body in files.items():
        p = tmp_path / name
        if isinstance(body, bytes):
            p.write_bytes(body)
        else:
            p.write_text(body, encoding="utf-8")


CASES = [
    # (id, files, argv after "hemopt", words of the error line)
    ("ambiguous_thousands",
     {"c.csv": HEADER + 'a,615400,6583800,"1,000"\n', "p.csv": PROVIDERS},
     ["import", "c.csv", "p.csv"], ["c.csv, line 2", "'hours_per_week'", "ambiguous",
                                    "'1,000'"]),
    ("total_row",
     {"c.csv": HEADER + "a,615400,6583800,3\nSumma,615400,6583800,3\n", "p.csv": PROVIDERS},
     ["import", "c.csv", "p.csv"], ["c.csv, line 3", "'client_id'", "total row", "'Summa'"]),
    ("title_line",
     {"c.csv": "Brukare maj 2024\n" + HEADER + "a,615400,6583800,3\n", "p.csv": PROVIDERS},
     ["import", "c.csv", "p.csv"], ["c.csv, line 2", "title", "line 1"]),
    ("unclosed_quote",
     {"c.csv": HEADER + '"a,615400,6583800,3\nb,615400,6583800,3\n', "p.csv": PROVIDERS},
     ["import", "c.csv", "p.csv"], ["c.csv, line 2", "unclosed quote"]),
    ("one_column_twice",
     {"c.csv": "client_id,x,y,hours_per_week,timmar\na,615400,6583800,3,4\n",
      "p.csv": PROVIDERS},
     ["import", "c.csv", "p.csv"], ["c.csv, line 1", "'hours_per_week' and 'timmar'"]),
    ("provider_ids_case",
     {"c.csv": HEADER + "a,615400,6583800,3\n",
      "p.csv": PROVIDERS + "e1,external,614950,6584210\n"},
     ["import", "c.csv", "p.csv"], ["p.csv, line 4", "'E1' (line 3) and 'e1'"]),
    ("ranking_by_name",
     {"c.csv": "client_id,x,y,hours_per_week,ranking\na,615400,6583800,3,Omsorg AB\n",
      "p.csv": "provider_id,name,kind,x,y\nM,Kommunen,municipal,615380,6583650\n"
               "E1,Omsorg AB,external,614950,6584210\n"},
     ["import", "c.csv", "p.csv"], ["c.csv, line 2", "'ranking'",
                                    "did you mean provider id 'E1' (named 'Omsorg AB')"]),
    ("zones_not_geodata",
     {"c.csv": HEADER + "a,615400,6583800,3\n", "p.csv": PROVIDERS,
      "z.csv": "zone_id,x\nA,1\n"},
     ["import", "c.csv", "p.csv", "--zones", "z.csv"], ["z.csv", "no geometry"]),
    ("empty_schedule", {},
     ["simulate", "--preset", "strangnas", "--scale", "0.05", "--years", "1", "--regime",
      "lou", "--schedule", ""], ["--schedule", "empty"]),
    ("n_zones_above_stairwells", {},
     ["assign", "--preset", "strangnas", "--scale", "0.05", "--regime", "zoning",
      "--n-zones", "10000"], ["--n-zones", "10000", "at most"]),
]


@pytest.mark.parametrize(("files", "argv", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_cli_refuses_with_one_line(tmp_path, monkeypatch, capsys, files, argv, words):
    _write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEMOPT_SALT", "test salt")
    out = "o.gpkg" if argv[0] in ("import", "assign") else "out"
    code = main([*argv, "--out", out])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.startswith("hemopt: error: ")]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert not (tmp_path / out).exists()


def test_cli_reads_utf16_export(tmp_path, monkeypatch, capsys):
    """Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated."""
    text = "client_id\tx\ty\thours_per_week\na\t615 400\t6 583 800\t3,5\n"
    _write(tmp_path, {"c.txt": b"\xff\xfe" + text.encode("utf-16-le"), "p.csv": PROVIDERS})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEMOPT_SALT", "test salt")
    code = main(["-q", "import", "c.txt", "p.csv", "--out", "o.gpkg"])
    assert code == 0, capsys.readouterr().err
    import hemopt

    sc = hemopt.Scenario.from_gpkg(tmp_path / "o.gpkg")
    assert sc.clients["hours_per_week"].tolist() == [3.5]
