"""Panels on core pages: pools on Prefix and VLAN pages, allocations on Device pages."""

from netbox.plugins import PluginTemplateExtension

from .models import IPAllocation, IPPool


class PrefixPools(PluginTemplateExtension):
    models = ['ipam.prefix']

    def right_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_ippool'):
            return ''
        prefix = self.context['object']
        pools = list(IPPool.objects.restrict(request.user, 'view').filter(prefix=prefix).select_related('prefix'))
        return self.render('netbox_archiflow/inc/pools_panel.html', extra_context={'pools': _with_usage(pools)})


class VLANPools(PluginTemplateExtension):
    models = ['ipam.vlan']

    def right_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_ippool'):
            return ''
        vlan = self.context['object']
        pools = list(IPPool.objects.restrict(request.user, 'view').filter(vlan=vlan).select_related('prefix'))
        return self.render('netbox_archiflow/inc/pools_panel.html', extra_context={'pools': _with_usage(pools)})


class DeviceAllocations(PluginTemplateExtension):
    models = ['dcim.device']

    def full_width_page(self):
        request = self.context['request']
        if not request.user.has_perm('netbox_archiflow.view_ipallocation'):
            return ''
        device = self.context['object']
        allocations = list(
            IPAllocation.objects.restrict(request.user, 'view')
            .filter(device=device)
            .select_related('pool', 'interface', 'ip_address')
            .order_by('-is_active', '-allocated_at')[:50]
        )
        return self.render('netbox_archiflow/inc/device_allocations.html', extra_context={'allocations': allocations})


def _with_usage(pools):
    from .services.pools import pools_usage

    usage = pools_usage(pools)
    return [(pool, usage.get(pool.pk)) for pool in pools]


template_extensions = [PrefixPools, VLANPools, DeviceAllocations]
