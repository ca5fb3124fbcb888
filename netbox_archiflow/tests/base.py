"""Plumbing the test modules share: the plugin's URL namespaces, object permissions and sample diagrams.

NetBox's test case classes assume an app's URLs are named ``<app>:<model>_<action>`` and
``<app>-api:<model>-list``; a plugin's live under ``plugins:`` and ``plugins-api:``.
"""

from core.models import ObjectType
from django.test import SimpleTestCase
from ipam.models import VRF, Prefix
from users.models import ObjectPermission

from netbox_archiflow import diagram_samples as samples
from netbox_archiflow.models import DiagramTemplate, IPPool

API_NAMESPACE = 'plugins-api:netbox_archiflow'

ONE = samples.mxfile(samples.cell('a', 'alpha'))
TWO = samples.mxfile(samples.cell('a', 'alpha'), samples.cell('b', 'beta'))


class PluginViewTestMixin:
    """For NetBox's ``ViewTestCases``: put it first among the bases."""

    def _get_base_url(self):
        return f'plugins:{self.model._meta.app_label}:{self.model._meta.model_name}_{{}}'


class PluginAPITestMixin:
    """For NetBox's ``APIViewTestCases``: put it first among the bases."""

    view_namespace = API_NAMESPACE


class CommittedTestCase(SimpleTestCase):
    """For tests whose rows other connections (threads, a live server) must see.

    Django's TestCase keeps a test's rows in a transaction no other connection sees, and its
    TransactionTestCase empties every table afterwards. Here nothing is wrapped or flushed: a test commits
    what it creates and deletes it again. It runs the same under pytest and under NetBox's ``netbox test``.
    """

    databases = {'default'}


def make_pools(vrf_name, octet, prefix_count):
    """Pools ``Pool 0``-``Pool 2`` on the /24s ``10.<octet>.<n>.0`` of a new VRF, gateway ``.1``.

    Returns the VRF and all ``prefix_count`` prefixes: those after the third are free for new pools.
    """
    vrf = VRF.objects.create(name=vrf_name)
    prefixes = [Prefix.objects.create(prefix=f'10.{octet}.{n}.0/24', vrf=vrf) for n in range(prefix_count)]
    for n in range(3):
        IPPool.objects.create(name=f'Pool {n}', prefix=prefixes[n], gateway=f'10.{octet}.{n}.1')
    return vrf, prefixes


def make_template(name='Site', slug='site'):
    """The sample template, with its ``site`` and ``rack`` variables."""
    return DiagramTemplate.objects.create(
        name=name, slug=slug, xml=samples.TEMPLATE_XML, variables=samples.TEMPLATE_VARIABLES
    )


def grant(user, model, actions=('view',), constraints=None):
    """Give ``user`` an object permission on ``model`` (a class or ``'app_label.model'``), with constraints.

    NetBox's ``add_permissions()`` takes no constraints and only Django permission names.
    """
    if isinstance(model, str):
        object_type = ObjectType.objects.get_by_natural_key(*model.split('.'))
    else:
        object_type = ObjectType.objects.get_for_model(model)
    permission = ObjectPermission.objects.create(
        name=f'{object_type.model} {"-".join(actions)}', actions=list(actions), constraints=constraints
    )
    permission.users.add(user)
    permission.object_types.add(object_type)
    return permission
