"""Demo diagrams: a site network with three versions, one from a template, and the template itself."""

from dcim.models import Site
from netbox.context import current_request

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import Diagram, DiagramTemplate
from netbox_archiflow.services import diagrams as service


def load():
    # The command runs inside change_logged(user): versions get that user as their author too.
    request = current_request.get()
    user = request.user if request is not None else None
    created = 0
    template, new = DiagramTemplate.objects.get_or_create(
        slug='site-core-leaf',
        defaults={
            'name': 'Site core/leaf',
            'category': 'Data centre',
            'description': 'A core switch, a leaf and a rack for one site',
            'xml': samples.TEMPLATE_XML,
            'variables': samples.TEMPLATE_VARIABLES,
        },
    )
    created += new
    site = Site.objects.filter(slug='ams1').first()
    if not Diagram.objects.filter(name='AMS1 network').exists():
        diagram = service.create_diagram(
            'AMS1 network',
            samples.mxfile(
                samples.cell('core', 'ams1-core-01', 300, 40), samples.cell('leaf', 'ams1-leaf-01', 300, 200)
            ),
            user,
            site=site,
            status='live',
            description='Core and leaf of AMS1',
            summary='Core and leaf',
        )
        service.save_diagram(diagram, samples.network('AMS1'), user, summary='Servers and cables')
        service.save_diagram(
            diagram,
            samples.network('AMS1').replace('ams1-srv-02', 'ams1-srv-02 (new)'),
            user,
            summary='Renamed a server',
        )
        created += 1 + diagram.versions.count()
    if not Diagram.objects.filter(name='LON1 network').exists():
        diagram = service.instantiate_template(
            template, 'LON1 network', {'site': 'lon1'}, user, site=Site.objects.filter(slug='lon1').first()
        )
        created += 2
    return created
