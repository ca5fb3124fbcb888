"""Every netbox-archiflow REST endpoint from pynetbox 7.9, custom actions included.

Copy ``ArchiFlow`` (the pynetbox extension below) into your code, or run this file against a NetBox with the
plugin (it creates objects and deletes them again at the end):

    python pynetbox_archiflow.py https://netbox.example.com nbt_abc.123 --site-group dc-east --vrf prod

The site group and VRF must exist, and the VRF must hold a container prefix scoped to the site group, from which
segments are carved (see segments.md). The test suite runs this file against its live test server.
"""

import argparse

import pynetbox
from pynetbox import Extension, JsonField
from pynetbox.core.endpoint import DetailEndpoint
from pynetbox.core.query import Request
from pynetbox.core.response import Record

DIAGRAM_XML = (
    '<mxfile><diagram id="p1" name="Page-1"><mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>'
    '<mxCell id="a" value="{label}" style="rounded=1;" vertex="1" parent="1">'
    '<mxGeometry x="40" y="40" width="120" height="60" as="geometry"/></mxCell>'
    '</root></mxGraphModel></diagram></mxfile>'
)


# -- The pynetbox extension: records with the plugin's custom actions --------------------------------------------


class ArchiFlowRecord(Record):
    def __str__(self):
        # The plugin's display text. Plain pynetbox reads `name` first and, for a record without one (a segment,
        # an allocation, an alert), fetches the whole object again to look for it.
        return self.__dict__.get('display') or super().__str__()


class Segments(ArchiFlowRecord):
    @property
    def release(self):
        """``segment.release.create()``: return the segment to its pool."""
        return DetailEndpoint(self, 'release', custom_return=Segments)


class IpAllocations(ArchiFlowRecord):
    @property
    def release(self):
        """``allocation.release.create()``: release the address; the allocation stays as history."""
        return DetailEndpoint(self, 'release', custom_return=IpAllocations)


class IpPools(ArchiFlowRecord):
    usage = JsonField  # {total, allocated, reserved, available, utilization}

    @property
    def allocate(self):
        """``pool.allocate.create({'asset_id': ...})``: the next free (or the requested) address."""
        return DetailEndpoint(self, 'allocate', custom_return=IpAllocations)

    def current_usage(self):
        """Fresh usage counters (``GET ip-pools/<id>/usage/``)."""
        return next(Request(base=f'{self.url}usage/', token=self.api.token, http_session=self.api.http_session).get())


IpAllocations.pool = IpPools


class Alerts(ArchiFlowRecord):
    details = JsonField

    @property
    def acknowledge(self):
        return DetailEndpoint(self, 'acknowledge', custom_return=Alerts)

    @property
    def resolve(self):
        return DetailEndpoint(self, 'resolve', custom_return=Alerts)


class Diagrams(ArchiFlowRecord):
    metadata = JsonField

    @property
    def restore(self):
        """``diagram.restore.create({'version': n})``: a new version with version n's content."""
        return DetailEndpoint(self, 'restore', custom_return=Diagrams)

    def export(self):
        """The diagram as a ``.drawio`` file (XML text)."""
        response = self.api.http_session.get(
            f'{self.url}export/', headers={'Authorization': f'Bearer {self.api.token}'}
        )
        response.raise_for_status()
        return response.text


class DiagramVersions(ArchiFlowRecord):
    diagram = Diagrams


class DiagramTemplates(ArchiFlowRecord):
    variables = JsonField  # [{name, default, description}]

    @property
    def instantiate(self):
        """``template.instantiate.create({'name': ..., 'variables': {...}})``: a new diagram."""
        return DetailEndpoint(self, 'instantiate', custom_return=Diagrams)


class ArchiFlow(Extension):
    plugin_name = 'archiflow'  # /api/plugins/archiflow/

    class models:
        Segments = Segments
        IpPools = IpPools
        IpAllocations = IpAllocations
        Alerts = Alerts
        Diagrams = Diagrams
        DiagramVersions = DiagramVersions
        DiagramTemplates = DiagramTemplates

    content_types = {
        'netbox_archiflow.segment': Segments,
        'netbox_archiflow.ippool': IpPools,
        'netbox_archiflow.ipallocation': IpAllocations,
        'netbox_archiflow.alert': Alerts,
        'netbox_archiflow.diagram': Diagrams,
        'netbox_archiflow.diagramversion': DiagramVersions,
        'netbox_archiflow.diagramtemplate': DiagramTemplates,
    }


def allocate_segments(nb, site_group, vrf, cluster, count=1):
    """``POST segments/allocate/``: the cluster's segments (the ones it holds, else the first free ones)."""
    endpoint = nb.plugins.archiflow.segments
    request = Request(base=f'{endpoint.url}/allocate/', token=nb.token, http_session=nb.http_session)
    answer = request.post({'site_group': site_group, 'vrf': vrf, 'cluster': cluster, 'count': count})
    return [Segments(segment, nb, endpoint) for segment in answer]


# -- The walk through every endpoint ----------------------------------------------------------------------------


def run(url, token, site_group, vrf, prefix='10.201.0.0/28', log=print):
    nb = pynetbox.api(url, token=token, extensions=[ArchiFlow])
    archiflow = nb.plugins.archiflow
    created = []
    try:
        # Segments: create, update, allocate to a cluster, list the cluster's, release.
        segment = archiflow.segments.create(
            site_group={'slug': site_group}, vrf={'name': vrf}, prefix_length=24, description='pynetbox'
        )
        created.append(segment)
        log('segment', segment, 'VLAN', segment.vlan.vid)
        segment.description = 'edited by pynetbox'
        segment.save()
        allocated = allocate_segments(nb, {'slug': site_group}, {'name': vrf}, 'k8s-pynetbox')
        log('allocated', [str(s) for s in allocated], 'to k8s-pynetbox')
        log('cluster holds', [str(s) for s in archiflow.segments.filter(cluster='k8s-pynetbox')])
        released_segment = allocated[0].release.create()
        log('released', released_segment, released_segment.status.value)

        # IP pools and allocations: create, allocate, usage, list, update, release.
        vrf_id = nb.ipam.vrfs.get(name=vrf).id
        pool = archiflow.ip_pools.create(name='pynetbox pool', network=prefix, vrf=vrf_id, alert_threshold=5)
        created.append(pool)
        log('pool', pool, pool.prefix.prefix, 'usage', pool.usage)
        allocation = pool.allocate.create({'asset_id': 'srv-001', 'device_name': 'srv-001'})
        log('allocated', allocation, 'to', allocation.asset_id)
        usage = pool.current_usage()
        log('usage', usage)
        log('active allocations', [str(a) for a in archiflow.ip_allocations.filter(pool_id=pool.id, is_active=True)])

        # Alerts: the allocation took the pool over its 5 % threshold, so the plugin raised one.
        alerts = list(archiflow.alerts.filter(object_type='netbox_archiflow.ippool', object_id=pool.id, status='open'))
        for alert in alerts:
            log('alert', alert, alert.severity.value, alert.details)
            alert.acknowledge.create()
            resolved = alert.resolve.create()
            log('resolved', resolved, resolved.resolved_at)

        allocation = archiflow.ip_allocations.get(allocation.id)
        allocation.notes = 'racked'
        allocation.save()
        released = allocation.release.create()
        log('released', released, 'active:', released.is_active)

        # Diagrams: create, update (a new version), list versions, restore, export.
        diagram = archiflow.diagrams.create(
            name='pynetbox diagram', xml=DIAGRAM_XML.format(label='router-1'), metadata={'owner': 'netops'}
        )
        created.append(diagram)
        diagram = archiflow.diagrams.get(diagram.id)
        diagram.xml = DIAGRAM_XML.format(label='router-2')
        diagram.base_version = diagram.version
        diagram.metadata['reviewed'] = True
        diagram.save()
        versions = list(archiflow.diagram_versions.filter(diagram_id=diagram.id))
        log('versions', [(str(v), v.kind.value) for v in versions])
        restored = diagram.restore.create({'version': 1})
        log('restored version 1 as version', restored.version)
        export = diagram.export()
        log('export', len(export), 'characters')

        # Diagram templates: create, instantiate, update.
        template = archiflow.diagram_templates.create(
            name='pynetbox template',
            slug='pynetbox-template',
            xml=DIAGRAM_XML.format(label='{{hostname}}'),
            variables=[{'name': 'hostname', 'default': 'edge-1', 'description': 'Device name'}],
        )
        created.append(template)
        instance = template.instantiate.create({'name': 'from template', 'variables': {'hostname': 'edge-9'}})
        created.append(instance)
        log('instantiated', instance, 'version', instance.version)
        template.description = 'edited by pynetbox'
        template.save()
        return {
            'segment': segment,
            'allocated': allocated,
            'pool': pool,
            'usage': usage,
            'alerts': alerts,
            'allocation': released,
            'diagram': archiflow.diagrams.get(diagram.id),
            'versions': versions,
            'restored': restored,
            'export': export,
            'template': archiflow.diagram_templates.get(template.id),
            'instance': instance,
        }
    finally:
        for obj in reversed(created):
            obj.delete()


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('url')
    parser.add_argument('token')
    parser.add_argument('--site-group', required=True, help='slug of an existing site group')
    parser.add_argument('--vrf', required=True, help='name of an existing VRF')
    parser.add_argument('--prefix', default='10.201.0.0/28', help='a free network for the example pool')
    options = parser.parse_args()
    run(options.url, options.token, options.site_group, options.vrf, options.prefix)
