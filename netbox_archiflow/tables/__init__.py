from .segments import SegmentTable

__all__ = ('SegmentTable',)
