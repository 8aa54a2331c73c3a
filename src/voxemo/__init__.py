"""voxemo: recognize emotion in the human voice."""

from voxemo.provenance import package_version

__version__ = package_version()
