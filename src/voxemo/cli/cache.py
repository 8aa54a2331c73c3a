"""The feature cache as the subcommands use it: off with --no-cache, repairs reported once."""

from __future__ import annotations

import argparse

from voxemo.cli.console import warn
from voxemo.features.cache import FeatureCache, default_cache_dir


def cache_from(args: argparse.Namespace) -> FeatureCache | None:
    return None if args.no_cache else FeatureCache(default_cache_dir())


def report_repaired(cache: FeatureCache | None) -> None:
    """One warning for the damaged cache entries that were recomputed, however many."""
    if cache and cache.repaired:
        warn(
            f"{len(cache.repaired)} damaged feature cache entries were recomputed and replaced "
            f"(first: {cache.repaired[0]})"
        )
