"""Every plugin table renders, sorted by each of its orderable columns both ways, over the list view's queryset."""

from utilities.testing import TableTestCases

from netbox_archiflow.models import IPPool
from netbox_archiflow.services import alerts as alert_service
from netbox_archiflow.services import diagrams as diagram_service
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.tables import (
    AlertTable,
    DiagramTable,
    DiagramTemplateTable,
    DiagramVersionTable,
    IPAllocationTable,
    IPPoolTable,
    SegmentTable,
)

from .base import ONE, TWO, make_pools, make_template
from .segment_fixtures import make_pool, make_segments


def pools_with_allocations_and_alerts():
    make_pools('tables', 122, 3)
    for pool in IPPool.objects.all():
        allocation, _created = pool_service.allocate_ip(pool, f'table-{pool.pk}', device_name='sw')
        alert_service.raise_alert('pool_threshold', pool, severity='warning', message='full')
    pool_service.release_ip(allocation)


class IPPoolTableTest(TableTestCases.StandardTableTestCase):
    table = IPPoolTable

    @classmethod
    def setUpTestData(cls):
        pools_with_allocations_and_alerts()


class IPAllocationTableTest(TableTestCases.StandardTableTestCase):
    table = IPAllocationTable

    @classmethod
    def setUpTestData(cls):
        pools_with_allocations_and_alerts()


class AlertTableTest(TableTestCases.StandardTableTestCase):
    table = AlertTable

    @classmethod
    def setUpTestData(cls):
        pools_with_allocations_and_alerts()


class SegmentTableTest(TableTestCases.StandardTableTestCase):
    table = SegmentTable

    @classmethod
    def setUpTestData(cls):
        site_group, vrf = make_pool('tables', '10.123.0.0/16')
        make_segments(site_group, vrf, 3)


def diagrams_with_versions():
    diagram = diagram_service.create_diagram('Tables', ONE)
    diagram_service.save_diagram(diagram, TWO)
    diagram_service.create_diagram('Empty')
    make_template()


class DiagramTableTest(TableTestCases.StandardTableTestCase):
    table = DiagramTable

    @classmethod
    def setUpTestData(cls):
        diagrams_with_versions()


class DiagramVersionTableTest(TableTestCases.StandardTableTestCase):
    table = DiagramVersionTable

    @classmethod
    def setUpTestData(cls):
        diagrams_with_versions()


class DiagramTemplateTableTest(TableTestCases.StandardTableTestCase):
    table = DiagramTemplateTable

    @classmethod
    def setUpTestData(cls):
        diagrams_with_versions()
