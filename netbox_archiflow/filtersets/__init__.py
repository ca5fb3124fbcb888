from .segments import SegmentFilterSet

__all__ = ('SegmentFilterSet',)
