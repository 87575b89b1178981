"""The ``hemopt`` command line (``hemopt --help``); the top layer, imported by nothing else."""

from hemopt.cli.main import build_parser as build_parser
from hemopt.cli.main import main as main

__all__ = ["build_parser", "main"]
