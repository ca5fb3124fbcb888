import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from netbox.tables import PrimaryModelTable, columns

from netbox_archiflow.models import Segment

__all__ = ('SegmentTable',)

# The table sits inside the list's bulk-action form (forms cannot nest): the button posts that form to the release
# view, with the form's CSRF token.
RELEASE_BUTTON = """
{% load i18n %}
{% with return_url=request.get_full_path|urlencode %}
{% if record.is_allocated and perms.netbox_archiflow.release_segment %}
  <button type="submit" class="btn btn-sm btn-warning" formmethod="post"
    formaction="{% url 'plugins:netbox_archiflow:segment_release' pk=record.pk %}?return_url={{ return_url }}">
    <i class="mdi mdi-lan-disconnect" aria-hidden="true"></i> {% trans "Release" %}
  </button>
{% endif %}
{% endwith %}
"""


class SegmentTable(PrimaryModelTable):
    prefix = tables.Column(
        verbose_name=_('Prefix'),
        linkify=lambda record: record.get_absolute_url(),
        order_by=('prefix__prefix',),
    )
    native_prefix = tables.Column(verbose_name=_('IPAM prefix'), accessor='prefix', linkify=True, orderable=False)
    vrf = tables.Column(verbose_name=_('VRF'), linkify=True)
    site_group = tables.Column(verbose_name=_('Site group'), linkify=True)
    vlan = tables.Column(verbose_name=_('VLAN'), linkify=True)
    vid = tables.Column(verbose_name=_('VID'), accessor='vlan__vid')
    vlan_group = tables.Column(verbose_name=_('VLAN group'), accessor='vlan__group', linkify=True)
    dhcp = columns.BooleanColumn(verbose_name=_('DHCP'))
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'))
    cluster = tables.Column(verbose_name=_('Cluster'))
    netbox_cluster = tables.Column(verbose_name=_('NetBox cluster'), linkify=True)
    allocated_at = columns.DateTimeColumn(verbose_name=_('Allocated at'), timespec='minutes')
    tags = columns.TagColumn(url_name='plugins:netbox_archiflow:segment_list')
    actions = columns.ActionsColumn(extra_buttons=RELEASE_BUTTON)

    class Meta(PrimaryModelTable.Meta):
        model = Segment
        fields = (
            'pk',
            'id',
            'prefix',
            'native_prefix',
            'vrf',
            'site_group',
            'vlan',
            'vid',
            'vlan_group',
            'dhcp',
            'status',
            'cluster',
            'netbox_cluster',
            'allocated_at',
            'description',
            'comments',
            'tags',
            'created',
            'last_updated',
        )
        default_columns = ('pk', 'prefix', 'vrf', 'site_group', 'vlan', 'dhcp', 'status', 'cluster')
