"""Dashboard widgets (registered on import from ``ArchiFlowConfig.ready()``).

Titles and descriptions use ``gettext``, not ``gettext_lazy``, as NetBox's own widgets do: NetBox renders a
widget class as ``str(widget)``, and ``__str__`` must return a real string.
"""

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from extras.dashboard.utils import register_widget
from extras.dashboard.widgets import DashboardWidget, WidgetConfigForm


@register_widget
class OpenAlertsWidget(DashboardWidget):
    default_title = _('Open alerts')
    description = _('ArchiFlow alerts that are not resolved yet, most severe first.')
    template_name = 'netbox_archiflow/widgets/open_alerts.html'
    default_config = {'max_items': 10}
    width = 4
    height = 4

    class ConfigForm(WidgetConfigForm):
        max_items = forms.IntegerField(min_value=1, max_value=100, initial=10, label=_('Maximum alerts'))

    def render(self, request):
        from netbox_archiflow.models import Alert

        if not request.user.has_perm('netbox_archiflow.view_alert'):
            return render_to_string(self.template_name, {'denied': True})
        queryset = Alert.objects.restrict(request.user, 'view').filter(resolved_at__isnull=True)
        order = {'critical': 0, 'warning': 1, 'info': 2}
        alerts = sorted(
            queryset.select_related('object_type')[: self.config.get('max_items', 10) * 3],
            key=lambda a: (order.get(a.severity, 9), -a.created.timestamp()),
        )[: self.config.get('max_items', 10)]
        return render_to_string(self.template_name, {'alerts': alerts, 'open_count': queryset.count()}, request=request)
