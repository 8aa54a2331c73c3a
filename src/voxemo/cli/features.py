"""``voxemo features``: the feature table of corpora, written as Parquet."""

from __future__ import annotations

import argparse
from pathlib import Path

from voxemo.cli.console import note
from voxemo.cli.options import add_extraction
from voxemo.cli.outputs import output_file
from voxemo.errors import VoxemoError


def register(sub: argparse._SubParsersAction) -> None:
    features = sub.add_parser(
        "features",
        help="extract features of corpora into a Parquet table",
        description="Compute features of every file (one decode per file, in parallel, cached "
        "by file content) and write them with the corpus fields to a Parquet file.",
    )
    add_extraction(features, repeat="tabulate several corpora together", jobs="feature extraction")
    features.add_argument(
        "--out",
        required=True,
        metavar="FILE.parquet",
        help="Parquet file to write: the corpus fields and one column per feature",
    )
    features.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from voxemo.cli.inputs import load_feature_table

    out_path = Path(args.out)
    if out_path.suffix.lower() != ".parquet":
        raise VoxemoError(f"{out_path}: the output must be a .parquet file")
    output_file(out_path, "--out")
    data = load_feature_table(args)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    data.to_frame().to_parquet(out_path, index=False)
    note(f"wrote {out_path}")
    return 1 if data.errors else 0
