from netbox.search import SearchIndex

from .models import Segment


class SegmentIndex(SearchIndex):
    model = Segment
    fields = (
        ('cluster', 100),
        ('description', 500),
        ('comments', 5000),
    )
    display_attrs = ('vrf', 'site_group', 'vlan', 'status', 'cluster', 'description')


indexes = [SegmentIndex]
