from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from extras.ui.panels import CustomFieldsPanel, TagsPanel
from netbox.object_actions import CloneObject, DeleteObject, EditObject
from netbox.ui import layout
from netbox.ui.panels import CommentsPanel, ObjectsTablePanel, PluginContentPanel, TemplatePanel
from netbox.views import generic
from utilities.forms import restrict_form_fields
from utilities.querydict import normalize_querydict
from utilities.views import register_model_view

from netbox_archiflow import filtersets, forms, tables
from netbox_archiflow.models import IPAllocation, IPPool
from netbox_archiflow.object_actions import AllocateIP, ReleaseAllocation
from netbox_archiflow.services import pools as pool_service
from netbox_archiflow.services.errors import Conflict, ServiceError
from netbox_archiflow.ui import panels

from .actions import ActionPermissionsMixin, ObjectActionView

__all__ = (
    'IPAllocationAddView',
    'IPAllocationBulkDeleteView',
    'IPAllocationBulkEditView',
    'IPAllocationBulkImportView',
    'IPAllocationDeleteView',
    'IPAllocationEditView',
    'IPAllocationListView',
    'IPAllocationReleaseView',
    'IPAllocationView',
    'IPPoolAllocateView',
    'IPPoolBulkDeleteView',
    'IPPoolBulkEditView',
    'IPPoolBulkImportView',
    'IPPoolDeleteView',
    'IPPoolEditView',
    'IPPoolListView',
    'IPPoolView',
)


def report_allocation(request, allocation, created):
    if created:
        messages.success(
            request,
            _('Allocated {address} to {asset}.').format(address=allocation.address, asset=allocation.asset_id),
        )
    else:
        messages.info(
            request,
            _('{asset} already holds {address}.').format(address=allocation.address, asset=allocation.asset_id),
        )


#
# IP pools
#


@register_model_view(IPPool, 'list', path='', detail=False)
class IPPoolListView(generic.ObjectListView):
    queryset = IPPool.objects.select_related('prefix', 'prefix__vrf', 'vlan', 'usage_counts').with_usage()
    table = tables.IPPoolTable
    filterset = filtersets.IPPoolFilterSet
    filterset_form = forms.IPPoolFilterForm


@register_model_view(IPPool)
class IPPoolView(ActionPermissionsMixin, generic.ObjectView):
    queryset = IPPool.objects.select_related('prefix', 'prefix__vrf', 'vlan', 'usage_counts')
    template_name = 'generic/object.html'
    actions = (AllocateIP, CloneObject, EditObject, DeleteObject)
    layout = layout.Layout(
        layout.Row(
            layout.Column(panels.IPPoolPanel(), TagsPanel(), PluginContentPanel('left_page')),
            layout.Column(
                TemplatePanel('netbox_archiflow/panels/pool_usage.html', title=_('Usage')),
                CustomFieldsPanel(),
                CommentsPanel(),
                PluginContentPanel('right_page'),
            ),
        ),
        layout.Row(
            layout.Column(
                ObjectsTablePanel(
                    'netbox_archiflow.ipallocation',
                    title=_('Active allocations'),
                    filters={'pool_id': lambda ctx: ctx['object'].pk, 'is_active': 'true'},
                    exclude_columns=['pool', 'released_at'],
                ),
                ObjectsTablePanel(
                    'netbox_archiflow.ipallocation',
                    title=_('Released allocations (history)'),
                    filters={'pool_id': lambda ctx: ctx['object'].pk, 'is_active': 'false'},
                    exclude_columns=['pool'],
                ),
                PluginContentPanel('full_width_page'),
            ),
        ),
    )

    def get_extra_context(self, request, instance):
        return {'usage': pool_service.pool_usage(instance)}


@register_model_view(IPPool, 'add', detail=False)
@register_model_view(IPPool, 'edit')
class IPPoolEditView(generic.ObjectEditView):
    queryset = IPPool.objects.all()
    form = forms.IPPoolForm


@register_model_view(IPPool, 'delete')
class IPPoolDeleteView(generic.ObjectDeleteView):
    queryset = IPPool.objects.all()


@register_model_view(IPPool, 'bulk_import', path='import', detail=False)
class IPPoolBulkImportView(generic.BulkImportView):
    queryset = IPPool.objects.all()
    model_form = forms.IPPoolImportForm


@register_model_view(IPPool, 'bulk_edit', path='edit', detail=False)
class IPPoolBulkEditView(generic.BulkEditView):
    queryset = IPPool.objects.select_related('prefix', 'prefix__vrf', 'vlan', 'usage_counts')
    filterset = filtersets.IPPoolFilterSet
    table = tables.IPPoolTable
    form = forms.IPPoolBulkEditForm


@register_model_view(IPPool, 'bulk_delete', path='delete', detail=False)
class IPPoolBulkDeleteView(generic.BulkDeleteView):
    queryset = IPPool.objects.select_related('prefix', 'prefix__vrf', 'vlan', 'usage_counts')
    filterset = filtersets.IPPoolFilterSet
    table = tables.IPPoolTable


@register_model_view(IPPool, 'allocate', path='allocate')
class IPPoolAllocateView(ObjectActionView):
    """The pool's "Allocate" action: a form, then the same service call as REST and RPC.

    Needs ``add_ipallocation`` (checked again by the service, object constraints included) and a visible pool.
    """

    queryset = IPPool.objects.select_related('prefix')
    permission = 'netbox_archiflow.add_ipallocation'
    restrict_to = 'view'
    template_name = 'netbox_archiflow/ippool_allocate.html'

    def get(self, request, pk):
        pool = self.get_object(pk)
        return render(request, self.template_name, {'object': pool, 'form': forms.AllocateForm(), 'tab': None})

    def post(self, request, pk):
        pool = self.get_object(pk)
        form = forms.AllocateForm(request.POST)
        if form.is_valid():
            try:
                allocation, created = form.allocate(pool, request.user)
            except ServiceError as exc:
                form.add_refusal(exc)
            else:
                report_allocation(request, allocation, created)
                return redirect(allocation.get_absolute_url())
        return render(request, self.template_name, {'object': pool, 'form': form, 'tab': None})


#
# IP allocations
#


@register_model_view(IPAllocation, 'list', path='', detail=False)
class IPAllocationListView(generic.ObjectListView):
    queryset = IPAllocation.objects.select_related(
        'pool', 'ip_address', 'device', 'interface', 'interface__device', 'allocated_by', 'released_by'
    )
    table = tables.IPAllocationTable
    filterset = filtersets.IPAllocationFilterSet
    filterset_form = forms.IPAllocationFilterForm


@register_model_view(IPAllocation)
class IPAllocationView(generic.ObjectView):
    queryset = IPAllocation.objects.select_related('pool', 'ip_address', 'device', 'interface')
    template_name = 'generic/object.html'
    actions = (ReleaseAllocation, CloneObject, EditObject, DeleteObject)
    layout = layout.SimpleLayout(
        left_panels=[panels.IPAllocationPanel(), TagsPanel()],
        right_panels=[
            TemplatePanel('netbox_archiflow/panels/allocation_notes.html', title=_('Notes')),
            CustomFieldsPanel(),
            ObjectsTablePanel(
                'netbox_archiflow.ipallocation',
                title=_('History of this address'),
                filters={
                    'pool_id': lambda ctx: ctx['object'].pool_id,
                    'address': lambda ctx: ctx['object'].address,
                },
                exclude_columns=['pool'],
            ),
        ],
    )


@register_model_view(IPAllocation, 'add', detail=False)
class IPAllocationAddView(generic.ObjectEditView):
    """Adding an allocation is allocating: the same service call as the pool's Allocate action, REST and RPC.

    A plain model save would bypass the pool lock, idempotency, the native IP address and the alerts.
    """

    queryset = IPAllocation.objects.all()
    form = forms.IPAllocationAddForm

    def _render(self, request, form):
        model = self.queryset.model
        context = {'model': model, 'object': model(), 'form': form, 'return_url': self.get_return_url(request)}
        return render(request, self.template_name, context)

    def get(self, request):
        form = self.form(initial=normalize_querydict(request.GET))
        restrict_form_fields(form, request.user)
        return self._render(request, form)

    def post(self, request):
        form = self.form(data=request.POST)
        restrict_form_fields(form, request.user)
        if form.is_valid():
            try:
                allocation, created = form.allocate(
                    form.cleaned_data['pool'], request.user, form.cleaned_data.get('changelog_message')
                )
            except ServiceError as exc:
                form.add_refusal(exc)
            else:
                report_allocation(request, allocation, created)
                if '_addanother' in request.POST:
                    return redirect(f'{request.path}?pool={allocation.pool_id}')
                return redirect(self.get_return_url(request, allocation))
        return self._render(request, form)


@register_model_view(IPAllocation, 'edit')
class IPAllocationEditView(generic.ObjectEditView):
    queryset = IPAllocation.objects.all()
    form = forms.IPAllocationForm


@register_model_view(IPAllocation, 'delete')
class IPAllocationDeleteView(generic.ObjectDeleteView):
    queryset = IPAllocation.objects.all()


@register_model_view(IPAllocation, 'bulk_import', path='import', detail=False)
class IPAllocationBulkImportView(generic.BulkImportView):
    """Every row is allocated by the service, all in the import's one transaction: a refused row rolls back all."""

    queryset = IPAllocation.objects.all()
    model_form = forms.IPAllocationImportForm

    def save_object(self, object_form, request):
        pool = object_form.cleaned_data['pool']
        # NetBox's import puts the form's change log message on the instance; the service saves its own objects.
        allocation, created = object_form.allocate(pool, request.user, object_form.instance._changelog_message)
        if not created:
            # Saying "imported" for a row that changed nothing would hide that its values were not applied.
            raise Conflict(
                f'Asset {allocation.asset_id} already holds {allocation.address} in pool {pool}.',
                code='asset_has_address',
                field='asset_id',
            )
        return allocation

    def _save_object(self, model_form, request, parent_idx):
        """A refused row is reported like a row's form errors: with its number and field."""
        try:
            return super()._save_object(model_form, request, parent_idx)
        except ServiceError as exc:
            field, message = model_form.refusal_error(exc)
            errors = {field or '__all__': [message]}
            raise ValidationError(self._compile_form_errors(errors, index=parent_idx)) from exc


@register_model_view(IPAllocation, 'bulk_edit', path='edit', detail=False)
class IPAllocationBulkEditView(generic.BulkEditView):
    queryset = IPAllocation.objects.all()
    filterset = filtersets.IPAllocationFilterSet
    table = tables.IPAllocationTable
    form = forms.IPAllocationBulkEditForm


@register_model_view(IPAllocation, 'bulk_delete', path='delete', detail=False)
class IPAllocationBulkDeleteView(generic.BulkDeleteView):
    queryset = IPAllocation.objects.all()
    filterset = filtersets.IPAllocationFilterSet
    table = tables.IPAllocationTable


@register_model_view(IPAllocation, 'release', path='release')
class IPAllocationReleaseView(ObjectActionView):
    """Confirm, then release through the service (history kept, native IP deleted or deprecated)."""

    queryset = IPAllocation.objects.select_related('pool')
    permission = 'netbox_archiflow.change_ipallocation'
    template_name = 'netbox_archiflow/ipallocation_release.html'

    def get(self, request, pk):
        allocation = self.get_object(pk)
        context = {'object': allocation, 'tab': None, 'return_url': self.get_return_url(request, allocation)}
        return render(request, self.template_name, context)

    def perform(self, request, allocation):
        pool_service.release_ip(allocation, user=request.user)
        messages.success(
            request, _('Released {address} ({asset}).').format(address=allocation.address, asset=allocation.asset_id)
        )
