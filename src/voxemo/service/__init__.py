"""The HTTP and WebSocket service behind ``voxemo serve``: a thin layer over the recognizer.

``create_app(ServiceSettings(...))`` builds the FastAPI application; ``voxemo serve`` runs it
with uvicorn. Needs the ``serve`` extra (``pip install 'voxemo[serve]'``).
"""

from voxemo.service.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]


def create_app(settings: ServiceSettings | None = None):
    """The FastAPI application serving ``settings.model`` (see :mod:`voxemo.service.app`)."""
    from voxemo.service.app import create_app as create

    return create(settings)
