from .segments import Segment

__all__ = ('Segment',)
