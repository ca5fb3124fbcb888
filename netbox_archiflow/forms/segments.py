from dcim.models import SiteGroup
from django import forms
from django.utils.translation import gettext_lazy as _
from ipam.models import VLAN, VRF
from netbox.forms import (
    PrimaryModelBulkEditForm,
    PrimaryModelFilterSetForm,
    PrimaryModelForm,
    PrimaryModelImportForm,
)
from utilities.exceptions import AbortRequest
from utilities.forms import BOOLEAN_WITH_BLANK_CHOICES
from utilities.forms.fields import (
    CSVModelChoiceField,
    DynamicModelChoiceField,
    DynamicModelMultipleChoiceField,
    TagFilterField,
)
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import BulkEditNullBooleanSelect
from virtualization.models import Cluster

from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service
from netbox_archiflow.services.errors import ServiceError

__all__ = ('SegmentAllocateForm', 'SegmentBulkEditForm', 'SegmentFilterForm', 'SegmentForm', 'SegmentImportForm')


class SegmentServiceFormMixin:
    """Model forms whose save() goes through the segment services (one set of rules for every interface).

    A refused operation is raised as AbortRequest: NetBox's edit and import views show its message on the form.
    """

    def _service_attrs(self):
        data = self.cleaned_data
        attrs = {
            'custom_field_data': self.instance.custom_field_data,
            'changelog_message': getattr(self.instance, '_changelog_message', None),
        }
        for name in ('owner', 'comments'):
            if name in data:
                attrs[name] = data[name] or ('' if name == 'comments' else None)
        return attrs

    def save(self, commit=True):
        data = self.cleaned_data
        try:
            if self.instance.pk is None:
                segment = service.create_segment(
                    site_group=data['site_group'],
                    vrf=data['vrf'],
                    prefix=data.get('prefix') or None,
                    prefix_length=data.get('prefix_length'),
                    vlan_id=data.get('vlan_id'),
                    vlan_name=data.get('vlan_name') or None,
                    dhcp=data.get('dhcp', False),
                    description=data.get('description', ''),
                    tags=data.get('tags'),
                    **self._service_attrs(),
                )
            else:
                changes = {'dhcp': data.get('dhcp', False), 'description': data.get('description', '')}
                if data.get('vlan_id'):
                    changes['vlan_id'] = data['vlan_id']
                    changes['vlan_name'] = data.get('vlan_name') or None
                segment = service.update_segment(
                    self.instance, tags=data.get('tags'), **changes, **self._service_attrs()
                )
        except ServiceError as exc:
            raise AbortRequest(exc.detail) from exc
        self.instance = segment
        return segment


class SegmentForm(SegmentServiceFormMixin, PrimaryModelForm):
    site_group = DynamicModelChoiceField(label=_('Site group'), queryset=SiteGroup.objects.all())
    vrf = DynamicModelChoiceField(label=_('VRF'), queryset=VRF.objects.all())
    prefix = forms.CharField(
        label=_('Prefix'),
        required=False,
        help_text=_('A CIDR such as 10.10.5.0/24. Leave empty to take the next free block of the prefix length.'),
    )
    prefix_length = forms.IntegerField(
        label=_('Prefix length'),
        required=False,
        min_value=1,
        max_value=128,
        help_text=_('Next free block of this length from the container prefix of the VRF and site group'),
    )
    vlan_id = forms.IntegerField(
        label=_('VLAN ID'),
        required=False,
        min_value=1,
        max_value=4094,
        help_text=_('Leave empty for the next free VLAN ID'),
    )
    vlan_name = forms.CharField(label=_('VLAN name'), required=False, max_length=64)

    fieldsets = (
        FieldSet('site_group', 'vrf', 'prefix', 'prefix_length', name=_('Prefix')),
        FieldSet('vlan_id', 'vlan_name', name=_('VLAN')),
        FieldSet('dhcp', 'description', 'tags', name=_('Segment')),
    )

    class Meta:
        model = Segment
        fields = ('site_group', 'vrf', 'dhcp', 'description', 'owner', 'comments', 'tags')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ('site_group', 'vrf', 'prefix', 'prefix_length'):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.initial['prefix'] = str(self.instance.prefix.prefix)
            self.initial.setdefault('vlan_id', self.instance.vlan.vid)
            self.fields['vlan_id'].help_text = _('A new VLAN ID moves the prefix to that VLAN')
            self.fields['vlan_name'].help_text = _('Name of the VLAN if one is created')

    def clean(self):
        super().clean()
        if not self.instance.pk and bool(self.cleaned_data.get('prefix')) == bool(
            self.cleaned_data.get('prefix_length')
        ):
            raise forms.ValidationError(_('Enter either a prefix or a prefix length.'))
        return self.cleaned_data


class SegmentImportForm(SegmentServiceFormMixin, PrimaryModelImportForm):
    site_group = CSVModelChoiceField(
        label=_('Site group'), queryset=SiteGroup.objects.all(), to_field_name='slug', help_text=_('Slug')
    )
    vrf = CSVModelChoiceField(label=_('VRF'), queryset=VRF.objects.all(), to_field_name='name', help_text=_('Name'))
    prefix = forms.CharField(label=_('Prefix'), required=False, help_text=_('CIDR (or give prefix_length)'))
    prefix_length = forms.IntegerField(label=_('Prefix length'), required=False, min_value=1, max_value=128)
    vlan_id = forms.IntegerField(label=_('VLAN ID'), required=False, min_value=1, max_value=4094)
    vlan_name = forms.CharField(label=_('VLAN name'), required=False, max_length=64)

    class Meta:
        model = Segment
        fields = ('site_group', 'vrf', 'dhcp', 'description', 'owner', 'comments', 'tags')


class SegmentBulkEditForm(PrimaryModelBulkEditForm):
    dhcp = forms.NullBooleanField(label=_('DHCP'), required=False, widget=BulkEditNullBooleanSelect())

    model = Segment
    fieldsets = (FieldSet('dhcp', 'description'),)
    nullable_fields = ('description', 'comments')


class SegmentFilterForm(PrimaryModelFilterSetForm):
    model = Segment
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('site_group_id', 'vrf_id', 'status', 'cluster', 'netbox_cluster_id', name=_('Pool')),
        FieldSet('vlan_id', 'vid', 'dhcp', name=_('VLAN')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    site_group_id = DynamicModelMultipleChoiceField(
        queryset=SiteGroup.objects.all(), required=False, label=_('Site group')
    )
    vrf_id = DynamicModelMultipleChoiceField(queryset=VRF.objects.all(), required=False, label=_('VRF'))
    status = forms.MultipleChoiceField(choices=SegmentStatusChoices, required=False, label=_('Status'))
    cluster = forms.CharField(required=False, label=_('Cluster'))
    netbox_cluster_id = DynamicModelMultipleChoiceField(
        queryset=Cluster.objects.all(), required=False, label=_('NetBox cluster')
    )
    vlan_id = DynamicModelMultipleChoiceField(queryset=VLAN.objects.all(), required=False, label=_('VLAN'))
    vid = forms.IntegerField(required=False, min_value=1, max_value=4094, label=_('VLAN ID'))
    dhcp = forms.NullBooleanField(
        required=False, label=_('DHCP'), widget=forms.Select(choices=BOOLEAN_WITH_BLANK_CHOICES)
    )
    tag = TagFilterField(model)


class SegmentAllocateForm(forms.Form):
    site_group = DynamicModelChoiceField(label=_('Site group'), queryset=SiteGroup.objects.all())
    vrf = DynamicModelChoiceField(label=_('VRF'), queryset=VRF.objects.all())
    cluster = forms.CharField(
        label=_('Cluster'),
        max_length=100,
        help_text=_('The cluster taking the segment(s); linked to the NetBox cluster of that name when there is one'),
    )
    count = forms.IntegerField(label=_('Count'), min_value=1, max_value=1000, initial=1)

    fieldsets = (FieldSet('site_group', 'vrf', 'cluster', 'count', name=_('Allocate segments')),)
