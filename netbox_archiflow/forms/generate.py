from dcim.models import Device, DeviceRole, Location, Rack, Site
from django import forms
from django.utils.translation import gettext_lazy as _
from extras.models import Tag
from ipam.models import VRF
from utilities.forms.fields import DynamicModelChoiceField, DynamicModelMultipleChoiceField

__all__ = ('DiagramGenerateForm',)


class DiagramGenerateForm(forms.Form):
    """What to draw: the kind, its scope (the most specific object chosen) and the options."""

    name = forms.CharField(label=_('Name'), max_length=100)
    kind = forms.ChoiceField(
        label=_('Kind'),
        choices=(('physical', _('Physical: devices and cables')), ('l3', _('L3: networks, devices and VMs'))),
    )
    site = DynamicModelChoiceField(label=_('Site'), queryset=Site.objects.all(), required=False)
    location = DynamicModelChoiceField(
        label=_('Location'), queryset=Location.objects.all(), required=False, query_params={'site_id': '$site'}
    )
    rack = DynamicModelChoiceField(
        label=_('Rack'),
        queryset=Rack.objects.all(),
        required=False,
        query_params={'site_id': '$site', 'location_id': '$location'},
    )
    vrf = DynamicModelChoiceField(label=_('VRF'), queryset=VRF.objects.all(), required=False)
    device_roles = DynamicModelMultipleChoiceField(
        label=_('Device roles'), queryset=DeviceRole.objects.all(), required=False
    )
    device_tags = DynamicModelMultipleChoiceField(label=_('Device tags'), queryset=Tag.objects.all(), required=False)
    devices = DynamicModelMultipleChoiceField(
        label=_('Devices'),
        queryset=Device.objects.all(),
        required=False,
        query_params={'site_id': '$site', 'location_id': '$location', 'rack_id': '$rack', 'role_id': '$device_roles'},
    )
    primary_ip = forms.BooleanField(label=_('Primary IP in device labels'), required=False, initial=True)
    platform = forms.BooleanField(label=_('Platform in device labels'), required=False)
    trace_patch_panels = forms.BooleanField(
        label=_('Trace through patch panels'),
        required=False,
        help_text=_('Draw one edge per cable path instead of the patch panels'),
    )
    circuits = forms.BooleanField(label=_('Circuits'), required=False, initial=True)
    virtual_machines = forms.BooleanField(label=_('Virtual machines (L3)'), required=False, initial=True)
    empty_prefixes = forms.BooleanField(label=_('Prefixes without addresses (L3)'), required=False)
    description = forms.CharField(label=_('Description'), max_length=200, required=False)

    PHYSICAL_OPTIONS = ('primary_ip', 'platform', 'trace_patch_panels', 'circuits')
    L3_OPTIONS = ('virtual_machines', 'empty_prefixes')
    # Device filter fields: (form field, NetBox device filter, value sent). With any of the selection
    # fields set, a physical diagram draws the devices matching all of them (REST's ``options.filters``).
    DEVICE_FILTERS = (
        ('site', 'site_id', 'pk'),
        ('location', 'location_id', 'pk'),
        ('rack', 'rack_id', 'pk'),
        ('device_roles', 'role_id', 'pk'),
        ('device_tags', 'tag', 'slug'),
        ('devices', 'id', 'pk'),
    )
    SELECTION = ('device_roles', 'device_tags', 'devices')

    def clean(self):
        data = super().clean()
        data['filters'] = None
        if data.get('kind') != 'l3' and any(data.get(name) for name in self.SELECTION):
            data['filters'] = self.device_filters(data)
            return data
        order = ('vrf', 'site') if data.get('kind') == 'l3' else ('rack', 'location', 'site')
        scope = next((data[name] for name in order if data.get(name)), None)
        if scope is None:
            choices = order if data.get('kind') == 'l3' else (*order, 'device selection')
            raise forms.ValidationError(_('Choose a {scopes}.').format(scopes=' / '.join(choices)))
        data['scope'] = scope
        return data

    def device_filters(self, data):
        """NetBox device filters for the chosen site/location/rack and selection, as REST takes them."""
        filters = {}
        for name, key, attribute in self.DEVICE_FILTERS:
            value = data.get(name)
            if value:
                objects = value if name in self.SELECTION else [value]
                filters[key] = [str(getattr(obj, attribute)) for obj in objects]
        return filters

    def spec_arguments(self):
        data = self.cleaned_data
        names = self.L3_OPTIONS if data['kind'] == 'l3' else self.PHYSICAL_OPTIONS
        options = {name: bool(data.get(name)) for name in names}
        if data['filters']:
            return data['kind'], 'dcim.device', None, {**options, 'filters': data['filters']}
        scope = data['scope']
        return data['kind'], f'{scope._meta.app_label}.{scope._meta.model_name}', scope.pk, options
