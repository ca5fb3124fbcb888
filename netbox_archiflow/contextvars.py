"""Context variables shared by the layers (as netbox-branching keeps them), imported by models and services."""

from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ('in_service_write', 'service_write')

# Set while a service writes native prefixes/VLANs, so the consistency signal handlers let it through.
_service_write = ContextVar('archiflow_segment_service_write', default=False)


@contextmanager
def service_write():
    token = _service_write.set(True)
    try:
        yield
    finally:
        _service_write.reset(token)


def in_service_write():
    return _service_write.get()
