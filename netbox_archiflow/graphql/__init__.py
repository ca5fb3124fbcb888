from .schema import schema

__all__ = ('schema',)
