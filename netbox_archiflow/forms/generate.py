from dcim.models import Location, Rack, Site
from django import forms
from django.utils.translation import gettext_lazy as _
from ipam.models import VRF
from utilities.forms.fields import DynamicModelChoiceField

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

    def clean(self):
        data = super().clean()
        order = ('vrf', 'site') if data.get('kind') == 'l3' else ('rack', 'location', 'site')
        scope = next((data[name] for name in order if data.get(name)), None)
        if scope is None:
            raise forms.ValidationError(_('Choose a {scopes}.').format(scopes=' / '.join(order)))
        data['scope'] = scope
        return data

    def spec_arguments(self):
        data = self.cleaned_data
        scope = data['scope']
        names = self.L3_OPTIONS if data['kind'] == 'l3' else self.PHYSICAL_OPTIONS
        return (
            data['kind'],
            f'{scope._meta.app_label}.{scope._meta.model_name}',
            scope.pk,
            {name: bool(data.get(name)) for name in names},
        )
