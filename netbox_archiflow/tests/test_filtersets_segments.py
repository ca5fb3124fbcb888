from dcim.models import SiteGroup
from utilities.testing import ChangeLoggedFilterSetTestMixin, TestCase

from netbox_archiflow.filtersets import SegmentFilterSet
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service

from .segment_fixtures import make_pool, make_segments


class SegmentFilterSetTest(ChangeLoggedFilterSetTestMixin, TestCase):
    queryset = Segment.objects.all()
    filterset = SegmentFilterSet

    @classmethod
    def setUpTestData(cls):
        cls.site_group, cls.vrf = make_pool('flt', '10.83.0.0/16')
        cls.other_group, cls.other_vrf = make_pool('flt2', '10.84.0.0/16')
        make_segments(cls.site_group, cls.vrf, 3)
        service.create_segment(
            site_group=cls.other_group,
            vrf=cls.other_vrf,
            prefix='10.84.7.0/24',
            vlan_id=77,
            dhcp=True,
            description='blue',
        )
        service.allocate_segments(cls.site_group, cls.vrf, 'cluster-x', count=2)

    def count(self, **params):
        return self.filterset(params, self.queryset).qs.count()

    def test_filters(self):
        self.assertEqual(self.count(site_group_id=[self.site_group.pk]), 3)
        self.assertEqual(self.count(site_group=[self.other_group.slug]), 1)
        self.assertEqual(self.count(vrf_id=[self.vrf.pk]), 3)
        self.assertEqual(self.count(vrf=[self.other_vrf.name]), 1)
        self.assertEqual(self.count(status=['allocated']), 2)
        self.assertEqual(self.count(status=['free']), 2)
        self.assertEqual(self.count(cluster=['cluster-x']), 2)
        self.assertEqual(self.count(vid=77), 1)
        self.assertEqual(self.count(vlan_id=[Segment.objects.get(prefix__prefix='10.84.7.0/24').vlan_id]), 1)
        self.assertEqual(self.count(dhcp=True), 1)
        self.assertEqual(self.count(q='blue'), 1)
        self.assertEqual(self.count(q='10.84.7.0/24'), 1)
        self.assertEqual(self.count(q='cluster-x'), 2)
        self.assertEqual(self.count(prefix='10.83.0.0/24'), 1)

    def test_a_site_group_stands_for_the_groups_below_it(self):
        parent = SiteGroup.objects.create(name='Parent', slug='parent')
        self.site_group.parent = parent
        self.site_group.save()
        self.assertEqual(self.count(site_group_id=[parent.pk]), 3)
        self.assertEqual(self.count(site_group=[parent.slug]), 3)
