"""The data subcommands: list the known corpora and download them."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from voxemo.cli.console import note, out, print_json, transfer_progress


def cmd_data_list(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from voxemo.corpora.download import DATASETS

    if args.json:
        print_json([asdict(spec) for spec in DATASETS.values()])
        return 0
    table = Table(title="corpora voxemo reads", title_justify="left")
    for column in ("name", "corpus", "license", "download", "citation"):
        table.add_column(column, overflow="fold")
    for spec in DATASETS.values():
        if spec.files:
            how = "voxemo data download (file by file, SHA-256-verified)"
        elif spec.url:
            how = "voxemo data download" + (" (MD5-verified)" if spec.md5 else "")
        else:
            how = f"manual: {spec.manual}"
        table.add_row(spec.name, spec.title, spec.license, how, spec.citation)
    out.print(table)
    return 0


def cmd_data_download(args: argparse.Namespace) -> int:
    from voxemo.corpora.download import dataset, download

    spec = dataset(args.name)
    note(f"{spec.title}: {spec.license}; cite {spec.citation}")
    with transfer_progress(
        f"downloading {spec.name}", in_bytes=not spec.files or bool(args.url)
    ) as update:
        folder = download(args.name, Path(args.to), url=args.url, progress=update)
    note(f"{spec.name} is in {folder}: read it with --corpus {spec.name}={folder}")
    return 0
