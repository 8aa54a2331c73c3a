"""``voxemo data``: list the corpora voxemo reads, download the openly available ones."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from voxemo.cli.console import note, out, print_json, transfer_progress


def register(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser(
        "data",
        help="list supported corpora, download the openly available ones",
        description="List the corpora voxemo reads (with license and citation) and download "
        "those with an open download: resumable, checksum-verified where a checksum is "
        "published, and unpacked in the layout the reader expects.",
    )
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    data_list = data_sub.add_parser("list", help="supported corpora, licenses and citations")
    data_list.add_argument("--json", action="store_true", help="print JSON instead of a table")
    data_list.set_defaults(run=run_list)
    download = data_sub.add_parser("download", help="download and unpack a corpus")
    download.add_argument("name", metavar="NAME", help="corpus name, as in 'voxemo data list'")
    download.add_argument("--to", required=True, metavar="DIR", help="folder to unpack into")
    download.add_argument("--url", help="fetch from this mirror instead of the official address")
    download.set_defaults(run=run_download)


def run_list(args: argparse.Namespace) -> int:
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
        table.add_row(spec.name, spec.title, spec.terms, how, spec.citation)
    out.print(table)
    return 0


def run_download(args: argparse.Namespace) -> int:
    from voxemo.corpora.download import dataset, download

    spec = dataset(args.name)
    note(f"{spec.title}: {spec.terms}; cite {spec.citation}")
    with transfer_progress(
        f"downloading {spec.name}", in_bytes=not spec.files or bool(args.url)
    ) as update:
        folder = download(args.name, Path(args.to), url=args.url, progress=update)
    note(f"{spec.name} is in {folder}: read it with --corpus {spec.name}={folder}")
    return 0
