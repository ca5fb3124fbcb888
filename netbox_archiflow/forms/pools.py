from dcim.models import Device, Interface
from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.translation import gettext_lazy as _
from extras.models import Tag
from ipam.models import VLAN, VRF, Prefix
from netbox.forms import (
    NetBoxModelBulkEditForm,
    NetBoxModelFilterSetForm,
    NetBoxModelForm,
    PrimaryModelBulkEditForm,
    PrimaryModelFilterSetForm,
    PrimaryModelForm,
    PrimaryModelImportForm,
)
from netbox.forms.mixins import ChangelogMessageMixin, CustomFieldsMixin
from utilities.forms import BOOLEAN_WITH_BLANK_CHOICES, CSVModelForm, add_blank_choice
from utilities.forms.fields import (
    CSVChoiceField,
    CSVModelChoiceField,
    CSVModelMultipleChoiceField,
    DynamicModelChoiceField,
    DynamicModelMultipleChoiceField,
    TagFilterField,
)
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import BulkEditNullBooleanSelect

from netbox_archiflow.choices import PoolTypeChoices
from netbox_archiflow.forms.mixins import CreateOnlyImportMixin
from netbox_archiflow.inputs import parse_id
from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.services.errors import ServiceError

__all__ = (
    'AllocateForm',
    'IPAllocationAddForm',
    'IPAllocationBulkEditForm',
    'IPAllocationFilterForm',
    'IPAllocationForm',
    'IPAllocationImportForm',
    'IPPoolBulkEditForm',
    'IPPoolFilterForm',
    'IPPoolForm',
    'IPPoolImportForm',
)


class IPPoolForm(PrimaryModelForm):
    prefix = DynamicModelChoiceField(label=_('Prefix'), queryset=Prefix.objects.all())
    vlan = DynamicModelChoiceField(label=_('VLAN'), queryset=VLAN.objects.all(), required=False)
    dns_servers = SimpleArrayField(
        base_field=forms.GenericIPAddressField(),
        required=False,
        label=_('DNS servers'),
        help_text=_('Comma-separated IP addresses'),
    )

    fieldsets = (
        FieldSet('name', 'prefix', 'pool_type', 'is_active', 'description', 'tags', name=_('IP pool')),
        FieldSet('gateway', 'dns_servers', 'vlan', name=_('Network')),
        FieldSet('alert_threshold', name=_('Alerts')),
    )

    class Meta:
        model = IPPool
        fields = [
            'name',
            'prefix',
            'gateway',
            'dns_servers',
            'vlan',
            'pool_type',
            'is_active',
            'alert_threshold',
            'description',
            'owner',
            'comments',
            'tags',
        ]


class IPPoolImportForm(PrimaryModelImportForm):
    prefix = forms.CharField(label=_('Prefix'), help_text=_('Network in CIDR notation (found or created)'))
    vrf = CSVModelChoiceField(
        label=_('VRF'), queryset=VRF.objects.all(), required=False, to_field_name='name', help_text=_('VRF name')
    )
    vlan = CSVModelChoiceField(
        label=_('VLAN'), queryset=VLAN.objects.all(), required=False, to_field_name='vid', help_text=_('VLAN ID')
    )
    pool_type = CSVChoiceField(label=_('Pool type'), choices=PoolTypeChoices, required=False)
    dns_servers = SimpleArrayField(base_field=forms.GenericIPAddressField(), required=False, delimiter=' ')

    class Meta:
        model = IPPool
        fields = (
            'name',
            'prefix',
            'vrf',
            'gateway',
            'dns_servers',
            'vlan',
            'pool_type',
            'is_active',
            'alert_threshold',
            'description',
            'owner',
            'comments',
            'tags',
        )

    def clean(self):
        super().clean()
        cidr = self.cleaned_data.get('prefix')
        if cidr and not isinstance(cidr, Prefix):
            # Bulk import runs in one transaction: a row refused later rolls a new prefix back too.
            try:
                self.cleaned_data['prefix'] = pool_service.get_or_create_prefix(cidr, self.cleaned_data.get('vrf'))
            except ServiceError as exc:
                self.add_error('prefix', exc.detail)
        self.cleaned_data.pop('vrf', None)
        return self.cleaned_data


class IPPoolBulkEditForm(PrimaryModelBulkEditForm):
    model = IPPool
    pool_type = forms.ChoiceField(label=_('Pool type'), choices=add_blank_choice(PoolTypeChoices), required=False)
    is_active = forms.NullBooleanField(label=_('Active'), required=False, widget=BulkEditNullBooleanSelect())
    alert_threshold = forms.IntegerField(label=_('Alert threshold'), min_value=1, max_value=100, required=False)
    vlan = DynamicModelChoiceField(label=_('VLAN'), queryset=VLAN.objects.all(), required=False)

    fieldsets = (FieldSet('pool_type', 'is_active', 'alert_threshold', 'vlan', 'description'),)
    nullable_fields = ('vlan', 'description', 'comments')


class IPPoolFilterForm(PrimaryModelFilterSetForm):
    model = IPPool
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('vrf_id', 'prefix_id', 'vlan_id', 'pool_type', 'is_active', name=_('Pool')),
        FieldSet('owner_group_id', 'owner_id', name=_('Ownership')),
    )
    vrf_id = DynamicModelMultipleChoiceField(queryset=VRF.objects.all(), required=False, label=_('VRF'))
    prefix_id = DynamicModelMultipleChoiceField(queryset=Prefix.objects.all(), required=False, label=_('Prefix'))
    vlan_id = DynamicModelMultipleChoiceField(queryset=VLAN.objects.all(), required=False, label=_('VLAN'))
    pool_type = forms.MultipleChoiceField(choices=PoolTypeChoices, required=False, label=_('Pool type'))
    is_active = forms.NullBooleanField(
        required=False, label=_('Active'), widget=forms.Select(choices=BOOLEAN_WITH_BLANK_CHOICES)
    )
    tag = TagFilterField(model)


class IPAllocationForm(NetBoxModelForm):
    """Edits what an allocation records about its holder; allocating and releasing go through the actions."""

    fieldsets = (FieldSet('device_name', 'device_type', 'mac_address', 'notes', 'tags', name=_('IP allocation')),)

    class Meta:
        model = IPAllocation
        fields = ['device_name', 'device_type', 'mac_address', 'notes', 'tags']


class IPAllocationBulkEditForm(NetBoxModelBulkEditForm):
    model = IPAllocation
    device_type = forms.CharField(max_length=50, required=False)
    notes = forms.CharField(required=False)
    fieldsets = (FieldSet('device_type', 'notes'),)
    nullable_fields = ('device_type', 'notes')


class IPAllocationFilterForm(NetBoxModelFilterSetForm):
    model = IPAllocation
    fieldsets = (
        FieldSet('q', 'filter_id', 'tag'),
        FieldSet('pool_id', 'asset_id', 'address', 'device_id', 'is_active', name=_('Allocation')),
    )
    pool_id = DynamicModelMultipleChoiceField(queryset=IPPool.objects.all(), required=False, label=_('Pool'))
    asset_id = forms.CharField(required=False, label=_('Asset ID'))
    address = forms.CharField(required=False, label=_('Address'))
    device_id = DynamicModelMultipleChoiceField(queryset=Device.objects.all(), required=False, label=_('Device'))
    is_active = forms.NullBooleanField(
        required=False, label=_('Active'), widget=forms.Select(choices=BOOLEAN_WITH_BLANK_CHOICES)
    )
    tag = TagFilterField(model)


# Refusals the service raises without naming an input, and the input of an allocation form they are about.
REFUSAL_FIELDS = {
    'pool_exhausted': 'pool',
    'pool_inactive': 'pool',
    'pool_reserved': 'address',
    'asset_has_address': 'address',
    'address_in_use': 'address',
}


class AllocationServiceMixin:
    """Forms whose values become one ``allocate_ip`` call, so every way of allocating follows the same rules."""

    def allocate(self, pool, user, changelog_message=''):
        """``(allocation, created)``; raises the service's refusal."""
        data = self.cleaned_data
        return pool_service.allocate_ip(
            pool,
            data['asset_id'],
            user=user,
            address=data.get('address') or None,
            device=data.get('device'),
            interface=data.get('interface'),
            device_name=data.get('device_name') or '',
            device_type=data.get('device_type') or '',
            mac_address=data.get('mac_address') or '',
            notes=data.get('notes') or '',
            custom_fields=self.custom_field_data(),
            tags=data.get('tags') or (),
            changelog_message=changelog_message or '',
        )

    def custom_field_data(self):
        return {cf.name: cf.serialize(self.cleaned_data.get(name)) for name, cf in self.custom_fields.items()}

    def refusal_error(self, exc):
        """``(field, message)`` of a service refusal: the field of this form it is about, or None."""
        field = exc.field or REFUSAL_FIELDS.get(exc.code)
        return (field if field in self.fields else None), f'{exc.detail} ({exc.code})'

    def add_refusal(self, exc):
        self.add_error(*self.refusal_error(exc))


class AllocateForm(AllocationServiceMixin, CustomFieldsMixin, forms.Form):
    """The pool's "Allocate" action; the service does the work."""

    model = IPAllocation  # whose custom fields the form offers

    asset_id = forms.CharField(label=_('Asset ID'), max_length=100)
    address = forms.CharField(
        label=_('Address'), required=False, help_text=_('Leave empty for the lowest free address')
    )
    device = DynamicModelChoiceField(label=_('Device'), queryset=Device.objects.all(), required=False)
    interface = DynamicModelChoiceField(
        label=_('Interface'),
        queryset=Interface.objects.all(),
        required=False,
        query_params={'device_id': '$device'},
    )
    device_name = forms.CharField(label=_('Device name'), max_length=255, required=False)
    device_type = forms.CharField(label=_('Device type'), max_length=50, required=False)
    mac_address = forms.CharField(label=_('MAC address'), max_length=32, required=False)
    notes = forms.CharField(label=_('Notes'), required=False, widget=forms.Textarea(attrs={'rows': 2}))
    tags = DynamicModelMultipleChoiceField(label=_('Tags'), queryset=Tag.objects.all(), required=False)


class IPAllocationAddForm(ChangelogMessageMixin, AllocateForm):
    """Adding an allocation is allocating: the pool's Allocate form with the pool to choose."""

    pool = DynamicModelChoiceField(label=_('Pool'), queryset=IPPool.objects.all(), query_params={'is_active': 'true'})

    fieldsets = (
        FieldSet('pool', 'asset_id', 'address', name=_('IP allocation')),
        FieldSet('device', 'interface', 'device_name', 'device_type', 'mac_address', name=_('Holder')),
        FieldSet('notes', 'tags', name=_('Notes')),
    )


class PoolByNameOrIDField(CSVModelChoiceField):
    """A pool by name, or by ID when no pool has that name (JSON and YAML rows have no ``pool.id`` header)."""

    def to_python(self, value):
        pk = parse_id(value)
        if pk is not None and not self.queryset.filter(**{self.to_field_name: value}).exists():
            try:
                return self.queryset.get(pk=pk)
            except self.queryset.model.DoesNotExist:
                raise forms.ValidationError(
                    self.error_messages['invalid_choice'], code='invalid_choice', params={'value': value}
                ) from None
        return super().to_python(value)


class IPAllocationImportForm(CreateOnlyImportMixin, AllocationServiceMixin, CustomFieldsMixin, CSVModelForm):
    """One allocation per row, made by the service (see ``IPAllocationBulkImportView``)."""

    model = IPAllocation

    pool = PoolByNameOrIDField(
        label=_('Pool'), queryset=IPPool.objects.all(), to_field_name='name', help_text=_('Pool name or ID')
    )
    address = forms.CharField(
        label=_('Address'), required=False, help_text=_('Leave empty for the lowest free address')
    )
    device = CSVModelChoiceField(
        label=_('Device'), queryset=Device.objects.all(), required=False, to_field_name='name', help_text=_('Name')
    )
    interface = CSVModelChoiceField(
        label=_('Interface'),
        queryset=Interface.objects.all(),
        required=False,
        to_field_name='name',
        help_text=_("Name of the device's interface that gets the IP address"),
    )
    tags = CSVModelMultipleChoiceField(
        label=_('Tags'), queryset=Tag.objects.all(), required=False, to_field_name='slug', help_text=_('Tag slugs')
    )

    class Meta:
        model = IPAllocation
        fields = (
            'pool',
            'asset_id',
            'address',
            'device',
            'interface',
            'device_name',
            'device_type',
            'mac_address',
            'notes',
            'tags',
        )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Interface names repeat across devices: look the name up on the row's device only.
        device = (data or {}).get('device')
        self.fields['interface'].queryset = (
            Interface.objects.filter(device__name=device) if device else Interface.objects.none()
        )

    def _get_form_field(self, customfield):
        return customfield.to_form_field(for_csv_import=True)

    def clean(self):
        cleaned_data = super().clean()
        # The row's instance is validated as a model before the service allocates it.
        self.instance.custom_field_data = self.custom_field_data()
        return cleaned_data

    def validate_constraints(self):
        """Skipped: the service decides about active addresses and assets, under the pool's lock."""
