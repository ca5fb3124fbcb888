"""Network segments: a native Prefix (in a VRF, scoped to a Site Group) with a native VLAN, handed to clusters."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ipam.models import VLAN
from netbox.models import PrimaryModel

from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.contextvars import service_write

__all__ = ('Segment', 'delete_vlan_if_orphaned', 'vlan_is_referenced')


class Segment(PrimaryModel):
    """Plugin-owned state of one segment, linked one-to-one to its native ``ipam.Prefix``.

    The prefix side has no reverse accessor (``related_name='+'``): core's own checks treat a reverse one-to-one
    on Prefix as a Prefix field and expect a filter for it. Find a prefix's segment with
    ``Segment.objects.filter(prefix=...)``.

    ``vrf`` and ``site_group`` repeat the prefix's VRF and scope so pools can be indexed and locked;
    the services keep them equal to the prefix. The prefix status mirrors ``status`` (active when free,
    reserved when allocated) so IPAM shows the truth.
    """

    prefix = models.OneToOneField(
        to='ipam.Prefix',
        on_delete=models.CASCADE,
        related_name='+',
        verbose_name=_('prefix'),
    )
    vrf = models.ForeignKey(
        to='ipam.VRF',
        on_delete=models.PROTECT,
        related_name='archiflow_segments',
        verbose_name=_('VRF'),
    )
    site_group = models.ForeignKey(
        to='dcim.SiteGroup',
        on_delete=models.PROTECT,
        related_name='archiflow_segments',
        verbose_name=_('site group'),
    )
    vlan = models.ForeignKey(
        to='ipam.VLAN',
        on_delete=models.PROTECT,
        related_name='archiflow_segments',
        verbose_name=_('VLAN'),
    )
    dhcp = models.BooleanField(verbose_name=_('DHCP'), default=False)
    cluster = models.CharField(
        verbose_name=_('cluster'),
        max_length=100,
        blank=True,
        help_text=_('Name of the cluster holding this segment (empty when free)'),
    )
    netbox_cluster = models.ForeignKey(
        to='virtualization.Cluster',
        on_delete=models.SET_NULL,
        related_name='archiflow_segments',
        blank=True,
        null=True,
        verbose_name=_('NetBox cluster'),
        help_text=_('The NetBox cluster holding this segment, when the holder is one'),
    )
    status = models.CharField(
        verbose_name=_('status'),
        max_length=20,
        choices=SegmentStatusChoices,
        default=SegmentStatusChoices.STATUS_FREE,
    )
    allocated_at = models.DateTimeField(verbose_name=_('allocated at'), blank=True, null=True)

    clone_fields = ('vrf', 'site_group', 'dhcp', 'description')

    class Meta:
        ordering = ('vrf__name', 'site_group__name', 'prefix__prefix', 'pk')
        verbose_name = _('segment')
        verbose_name_plural = _('segments')
        permissions = [
            ('allocate', 'Allocate a free segment to a cluster'),
            ('release', 'Release an allocated segment'),
        ]
        indexes = (
            models.Index(fields=('site_group', 'vrf', 'status'), name='archiflow_segment_pool'),
            models.Index(fields=('cluster',), name='archiflow_segment_cluster'),
        )
        constraints = (
            models.CheckConstraint(
                name='netbox_archiflow_segment_status_cluster',
                condition=(
                    Q(status=SegmentStatusChoices.STATUS_FREE, cluster='', allocated_at__isnull=True)
                    | (Q(status=SegmentStatusChoices.STATUS_ALLOCATED, allocated_at__isnull=False) & ~Q(cluster=''))
                ),
                violation_error_message=_('A free segment has no cluster; an allocated segment has one.'),
            ),
            models.CheckConstraint(
                name='netbox_archiflow_segment_netbox_cluster_allocated',
                condition=Q(netbox_cluster__isnull=True) | Q(status=SegmentStatusChoices.STATUS_ALLOCATED),
                violation_error_message=_('Only an allocated segment is held by a NetBox cluster.'),
            ),
        )

    def __str__(self):
        if not self.prefix_id:
            return f'Segment {self.pk}'
        try:
            return str(self.prefix.prefix)
        except ObjectDoesNotExist:
            # The related prefix was filtered out (e.g. a GraphQL query restricted by prefix permissions)
            from ipam.models import Prefix

            return str(Prefix.objects.filter(pk=self.prefix_id).values_list('prefix', flat=True).first())

    def get_absolute_url(self):
        return reverse('plugins:netbox_archiflow:segment', args=[self.pk])

    def get_status_color(self):
        return SegmentStatusChoices.colors.get(self.status)

    @property
    def network(self):
        """The segment's CIDR, indexed as a CIDR so NetBox's global search finds segments by prefix."""
        return self.prefix.prefix if self.prefix_id else None

    @property
    def is_allocated(self):
        return self.status == SegmentStatusChoices.STATUS_ALLOCATED

    def delete(self, *args, **kwargs):
        """Delete the segment with its native prefix, and the VLAN when nothing else uses it."""
        with transaction.atomic():
            prefix, vlan = self.prefix, self.vlan
            result = super().delete(*args, **kwargs)
            prefix.snapshot()
            prefix.delete()
            delete_vlan_if_orphaned(vlan)
        return result


def vlan_is_referenced(vlan):
    """True when any object still points at the VLAN (prefixes, interfaces, segments, anything else)."""
    for relation in vlan._meta.related_objects:
        if not (relation.one_to_many or relation.many_to_many or relation.one_to_one):
            continue
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            if relation.related_model.objects.filter(**{relation.field.name: vlan}).exists():
                return True
        elif getattr(vlan, accessor).exists():
            return True
    return False


def delete_vlan_if_orphaned(vlan):
    """Delete a segment VLAN nothing references any more. Returns True when deleted."""
    if vlan is None:
        return False
    vlan = VLAN.objects.filter(pk=vlan.pk).first()
    if vlan is None or vlan_is_referenced(vlan):
        return False
    vlan.snapshot()
    with service_write():
        vlan.delete()
    return True
