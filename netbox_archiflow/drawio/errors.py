"""Refused Draw.io input, reported by every API like any other refusal."""

from netbox_archiflow.errors import ServiceError

__all__ = ('DrawioError',)


class DrawioError(ServiceError):
    """Draw.io XML or SVG that cannot be accepted: malformed, forbidden, too large or not Draw.io."""
