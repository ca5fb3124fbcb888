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


class PoolData:
    """Pools with allocations (one released) and an alert each."""

    @classmethod
    def setUpTestData(cls):
        make_pools('tables', 122, 3)
        for pool in IPPool.objects.all():
            allocation, _created = pool_service.allocate_ip(pool, f'table-{pool.pk}', device_name='sw')
            alert_service.raise_alert('pool_threshold', pool, severity='warning', message='full')
        pool_service.release_ip(allocation)


class DiagramData:
    """Diagrams with and without versions, and a template."""

    @classmethod
    def setUpTestData(cls):
        diagram = diagram_service.create_diagram('Tables', ONE)
        diagram_service.save_diagram(diagram, TWO)
        diagram_service.create_diagram('Empty')
        make_template()


class IPPoolTableTest(PoolData, TableTestCases.StandardTableTestCase):
    table = IPPoolTable


class IPAllocationTableTest(PoolData, TableTestCases.StandardTableTestCase):
    table = IPAllocationTable


class AlertTableTest(PoolData, TableTestCases.StandardTableTestCase):
    table = AlertTable


class DiagramTableTest(DiagramData, TableTestCases.StandardTableTestCase):
    table = DiagramTable


class DiagramVersionTableTest(DiagramData, TableTestCases.StandardTableTestCase):
    table = DiagramVersionTable


class DiagramTemplateTableTest(DiagramData, TableTestCases.StandardTableTestCase):
    table = DiagramTemplateTable


class SegmentTableTest(TableTestCases.StandardTableTestCase):
    table = SegmentTable

    @classmethod
    def setUpTestData(cls):
        site_group, vrf = make_pool('tables', '10.123.0.0/16')
        make_segments(site_group, vrf, 3)
