"""``voxemo``: the command line, a thin layer over the library."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from voxemo.cli.options import Parser
from voxemo.errors import VoxemoError
from voxemo.provenance import package_version


def build_parser() -> argparse.ArgumentParser:
    """The ``voxemo`` parser: each subcommand's module declares its own arguments."""
    from voxemo.cli import (
        batch,
        data,
        ensemble,
        evaluate,
        explore,
        features,
        listen,
        models,
        predict,
        report,
        serve,
        train,
    )

    parser = Parser(
        prog="voxemo",
        description="Recognize emotion in the human voice: predict the emotion of recordings, "
        "long recordings over time and live audio with the bundled model (or your own), and "
        "extract features, train and evaluate models honestly on labelled corpora.",
    )
    parser.add_argument("--version", action="version", version=f"voxemo {package_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (
        predict, models, ensemble, listen, serve, batch, train, evaluate, explore, report, data,
        features,
    ):  # fmt: skip
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from voxemo.cli.console import error_line
    from voxemo.extras import missing_extra

    try:
        return args.run(args)
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python from complaining when
        # it flushes standard output on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except VoxemoError as exc:
        error_line(str(exc))
        return 1
    except KeyboardInterrupt:
        error_line("interrupted")
        return 130
    except Exception as exc:
        missing = isinstance(exc, ModuleNotFoundError) and missing_extra(
            exc, f"voxemo {args.command}"
        )
        if missing:
            error_line(str(missing))
            return 1
        if os.environ.get("VOXEMO_DEBUG"):
            raise
        error_line(f"internal error: {type(exc).__name__}: {exc} (set VOXEMO_DEBUG=1 for details)")
        return 1


if __name__ == "__main__":
    sys.exit(main())
