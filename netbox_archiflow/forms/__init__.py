from .segments import (
    SegmentAllocateForm,
    SegmentBulkEditForm,
    SegmentFilterForm,
    SegmentForm,
    SegmentImportForm,
)

__all__ = ('SegmentAllocateForm', 'SegmentBulkEditForm', 'SegmentFilterForm', 'SegmentForm', 'SegmentImportForm')
