import strawberry
import strawberry_django

from .types import SegmentType


@strawberry.type(name='Query')
class SegmentQuery:
    netbox_archiflow_segment: SegmentType = strawberry_django.field()
    netbox_archiflow_segment_list: list[SegmentType] = strawberry_django.field()


schema = [SegmentQuery]
