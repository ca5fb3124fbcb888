import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from netbox.tables import NetBoxTable, columns
from netbox_archiflow.models import Alert

__all__ = ('AlertTable',)

ALERT_ACTIONS = """
{% if record.resolved_at is None and perms.netbox_archiflow.change_alert %}
  {% if record.acknowledged_at is None %}
    <form method="post" action="{% url 'plugins:netbox_archiflow:alert_acknowledge' pk=record.pk %}" class="d-inline">
      {% csrf_token %}<input type="hidden" name="return_url" value="{{ request.get_full_path }}">
      <button type="submit" class="btn btn-sm btn-warning" title="Acknowledge"><i class="mdi mdi-check"></i></button>
    </form>
  {% endif %}
  <form method="post" action="{% url 'plugins:netbox_archiflow:alert_resolve' pk=record.pk %}" class="d-inline">
    {% csrf_token %}<input type="hidden" name="return_url" value="{{ request.get_full_path }}">
    <button type="submit" class="btn btn-sm btn-success" title="Resolve"><i class="mdi mdi-check-all"></i></button>
  </form>
{% endif %}
"""


class AlertTable(NetBoxTable):
    id = tables.Column(verbose_name=_('ID'), linkify=True)
    severity = columns.ChoiceFieldColumn(verbose_name=_('Severity'))
    alert_type = columns.ChoiceFieldColumn(verbose_name=_('Type'))
    object_type = columns.ContentTypeColumn(verbose_name=_('Object type'))
    object = tables.Column(verbose_name=_('Object'), linkify=True, orderable=False, accessor='object')
    message = tables.Column(verbose_name=_('Message'))
    acknowledged_by = tables.Column(verbose_name=_('Acknowledged by'))
    acknowledged_at = columns.DateTimeColumn(verbose_name=_('Acknowledged'))
    resolved_by = tables.Column(verbose_name=_('Resolved by'))
    resolved_at = columns.DateTimeColumn(verbose_name=_('Resolved'))
    created = columns.DateTimeColumn(verbose_name=_('Raised'))
    alert_actions = columns.TemplateColumn(
        template_code=ALERT_ACTIONS, verbose_name='', orderable=False, exclude_from_export=True
    )
    tags = columns.TagColumn(url_name='plugins:netbox_archiflow:alert_list')

    class Meta(NetBoxTable.Meta):
        model = Alert
        fields = (
            'pk',
            'id',
            'severity',
            'alert_type',
            'object_type',
            'object',
            'object_repr',
            'message',
            'details',
            'acknowledged_by',
            'acknowledged_at',
            'resolved_by',
            'resolved_at',
            'created',
            'last_updated',
            'tags',
            'alert_actions',
        )
        default_columns = (
            'pk',
            'id',
            'severity',
            'alert_type',
            'object',
            'message',
            'created',
            'acknowledged_at',
            'resolved_at',
            'alert_actions',
        )
