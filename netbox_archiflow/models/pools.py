"""IP pools over native prefixes, and the allocations that hand out their addresses.

An :class:`IPPool` adds what NetBox lacks to a native ``ipam.Prefix`` (gateway, DNS servers, pool
type, alert threshold). An :class:`IPAllocation` records who holds an address; while it is active it
owns the native ``ipam.IPAddress`` it created. Released allocations stay as history rows: the
uniqueness of addresses and assets applies to *active* rows only (partial unique constraints).
"""

import netaddr
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from netbox.models import NetBoxModel, PrimaryModel
from utilities.querysets import RestrictedQuerySet

from netbox_archiflow import plugin_settings
from netbox_archiflow.choices import PoolTypeChoices

__all__ = ('IPAllocation', 'IPPool', 'IPPoolOccupiedAddress', 'IPPoolUsage')


def _default_threshold():
    return plugin_settings.get('pool_alert_threshold')


# Usage figures in SQL: an IPv6 pool's size does not fit a bigint.
_COUNT = models.DecimalField(max_digits=45, decimal_places=6)


class IPPoolQuerySet(RestrictedQuerySet):
    def with_usage(self):
        """Annotate ``usage_allocated`` / ``usage_available`` / ``usage_utilization`` for sorting by them.

        The same arithmetic as ``services.pools.pool_usage``, in SQL over the trigger-kept counters.
        """
        total = F('usage_counts__total')
        available = Greatest(
            total - F('usage_counts__populated') - F('usage_counts__occupied'), Value(0), output_field=_COUNT
        )
        return self.annotate(
            usage_allocated=F('usage_counts__allocated'),
            usage_available=available,
            usage_utilization=Case(
                When(usage_counts__total=0, then=Value(100)),
                default=ExpressionWrapper((total - available) * 100 / total, output_field=_COUNT),
                output_field=_COUNT,
            ),
        )


class IPPool(PrimaryModel):
    name = models.CharField(verbose_name=_('name'), max_length=100)
    prefix = models.ForeignKey(
        to='ipam.Prefix',
        on_delete=models.PROTECT,
        related_name='archiflow_pools',
        verbose_name=_('prefix'),
        help_text=_('The native prefix the pool hands out addresses from'),
    )
    gateway = models.GenericIPAddressField(verbose_name=_('gateway'), blank=True, null=True)
    dns_servers = ArrayField(
        base_field=models.GenericIPAddressField(),
        verbose_name=_('DNS servers'),
        blank=True,
        default=list,
    )
    vlan = models.ForeignKey(
        to='ipam.VLAN',
        on_delete=models.SET_NULL,
        related_name='archiflow_pools',
        verbose_name=_('VLAN'),
        blank=True,
        null=True,
    )
    pool_type = models.CharField(
        verbose_name=_('pool type'),
        max_length=30,
        choices=PoolTypeChoices,
        default=PoolTypeChoices.TYPE_STATIC,
    )
    is_active = models.BooleanField(verbose_name=_('active'), default=True)
    alert_threshold = models.PositiveSmallIntegerField(
        verbose_name=_('alert threshold'),
        default=_default_threshold,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_('Utilization (percent) at which a pool_threshold alert is raised'),
    )

    objects = IPPoolQuerySet.as_manager()

    clone_fields = ('prefix', 'vlan', 'pool_type', 'is_active', 'alert_threshold', 'dns_servers')

    class Meta:
        ordering = ('name', 'pk')
        verbose_name = _('IP pool')
        verbose_name_plural = _('IP pools')
        constraints = (models.UniqueConstraint(fields=('name',), name='netbox_archiflow_ippool_unique_name'),)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse('plugins:netbox_archiflow:ippool', args=[self.pk])

    def get_pool_type_color(self):
        return PoolTypeChoices.colors.get(self.pool_type)

    @property
    def network(self):
        return netaddr.IPNetwork(str(self.prefix.prefix)) if self.prefix_id else None

    @property
    def vrf(self):
        return self.prefix.vrf if self.prefix_id else None

    def clean(self):
        super().clean()
        if not self.prefix_id:
            return
        network = self.network
        if self.gateway:
            gateway = netaddr.IPAddress(self.gateway)
            if gateway.version != network.version or gateway not in network:
                raise ValidationError(
                    {
                        'gateway': _('Gateway {gateway} is not inside {network}.').format(
                            gateway=self.gateway, network=network
                        )
                    }
                )
            if network.version == 4 and network.prefixlen < 31 and gateway in (network.network, network.broadcast):
                raise ValidationError(
                    {
                        'gateway': _('Gateway {gateway} is the network or broadcast address of {network}.').format(
                            gateway=self.gateway, network=network
                        )
                    }
                )
        for server in self.dns_servers or ():
            try:
                address = netaddr.IPAddress(str(server))
            except (netaddr.AddrFormatError, ValueError, TypeError):
                raise ValidationError(
                    {'dns_servers': _('{value} is not an IP address.').format(value=server)}
                ) from None
            if address.is_reserved() or str(address) in ('0.0.0.0', '::', '255.255.255.255'):
                raise ValidationError({'dns_servers': _('{value} is not a usable DNS server.').format(value=server)})
        if self.is_active:
            overlapping = (
                IPPool.objects.filter(is_active=True, prefix__vrf=self.prefix.vrf)
                .filter(
                    Q(prefix__prefix__net_contains_or_equals=str(network))
                    | Q(prefix__prefix__net_contained_or_equal=str(network))
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping:
                raise ValidationError(
                    {
                        'prefix': _('The active pool {pool} ({network}) overlaps {this} in the same VRF.').format(
                            pool=overlapping, network=overlapping.prefix.prefix, this=network
                        )
                    }
                )


class IPAllocation(NetBoxModel):
    pool = models.ForeignKey(to=IPPool, on_delete=models.CASCADE, related_name='allocations', verbose_name=_('pool'))
    address = models.GenericIPAddressField(verbose_name=_('address'))
    ip_address = models.ForeignKey(
        to='ipam.IPAddress',
        on_delete=models.SET_NULL,
        related_name='archiflow_allocations',
        verbose_name=_('IP address'),
        blank=True,
        null=True,
        help_text=_('The native IP address this allocation created (while active)'),
    )
    asset_id = models.CharField(verbose_name=_('asset ID'), max_length=100)
    device = models.ForeignKey(
        to='dcim.Device',
        on_delete=models.SET_NULL,
        related_name='archiflow_allocations',
        verbose_name=_('device'),
        blank=True,
        null=True,
    )
    interface = models.ForeignKey(
        to='dcim.Interface',
        on_delete=models.SET_NULL,
        related_name='archiflow_allocations',
        verbose_name=_('interface'),
        blank=True,
        null=True,
    )
    device_name = models.CharField(verbose_name=_('device name'), max_length=255, blank=True)
    device_type = models.CharField(verbose_name=_('device type'), max_length=50, blank=True)
    mac_address = models.CharField(verbose_name=_('MAC address'), max_length=17, blank=True)
    allocated_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('allocated by'),
    )
    allocated_at = models.DateTimeField(verbose_name=_('allocated at'), auto_now_add=True)
    released_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('released by'),
    )
    released_at = models.DateTimeField(verbose_name=_('released at'), blank=True, null=True)
    is_active = models.BooleanField(verbose_name=_('active'), default=True)
    notes = models.TextField(verbose_name=_('notes'), blank=True)

    class Meta:
        ordering = ('pool', 'address', '-allocated_at', 'pk')
        verbose_name = _('IP allocation')
        verbose_name_plural = _('IP allocations')
        indexes = (models.Index(fields=('asset_id',), name='netbox_archiflow_ipalloc_asset'),)
        constraints = (
            models.UniqueConstraint(
                fields=('pool', 'address'),
                condition=Q(is_active=True),
                name='netbox_archiflow_ipallocation_active_address',
                violation_error_message=_('This address is already allocated in the pool.'),
            ),
            models.UniqueConstraint(
                fields=('pool', 'asset_id'),
                condition=Q(is_active=True),
                name='netbox_archiflow_ipallocation_active_asset',
                violation_error_message=_('This asset already holds an address in the pool.'),
            ),
        )

    def __str__(self):
        return f'{self.address} ({self.asset_id})'

    def get_absolute_url(self):
        return reverse('plugins:netbox_archiflow:ipallocation', args=[self.pk])


class IPPoolUsage(models.Model):
    """The counts behind a pool's usage, kept current by PostgreSQL triggers (``usage_triggers``).

    Every write that can change what a pool has free -- a native IP address, an allocation, the pool,
    its prefix, a populated IP range -- updates this row in the same transaction, so reading usage is
    one primary-key lookup whatever the pool's size or fill. Never written by Django.
    """

    pool = models.OneToOneField(
        to=IPPool,
        on_delete=models.DO_NOTHING,  # ON DELETE CASCADE in the database (migration 0002)
        db_constraint=False,
        primary_key=True,
        related_name='usage_counts',
        editable=False,
    )
    vrf_id = models.BigIntegerField(null=True, editable=False)
    first = models.GenericIPAddressField(editable=False)
    last = models.GenericIPAddressField(editable=False)
    gateway = models.GenericIPAddressField(null=True, editable=False)
    total = models.DecimalField(max_digits=39, decimal_places=0, editable=False)
    populated = models.DecimalField(max_digits=39, decimal_places=0, editable=False)
    occupied = models.BigIntegerField(editable=False)
    allocated = models.BigIntegerField(editable=False)

    class Meta:
        verbose_name = _('IP pool usage')


class IPPoolOccupiedAddress(models.Model):
    """One host of a pool that is not free (outside populated ranges), kept by the same triggers.

    The set lets a trigger tell whether a change made a host occupied or free, so ``IPPoolUsage.occupied``
    moves by exactly one; allocation searches read it instead of joining native addresses.
    """

    pool = models.ForeignKey(
        to=IPPool,
        on_delete=models.DO_NOTHING,  # ON DELETE CASCADE in the database (migration 0002)
        db_constraint=False,
        related_name='+',
        editable=False,
    )
    address = models.GenericIPAddressField(editable=False)

    class Meta:
        verbose_name = _('IP pool occupied address')
        constraints = (
            models.UniqueConstraint(fields=('pool', 'address'), name='netbox_archiflow_ippooloccupied_address'),
        )
