import django_tables2 as tables
from django.utils.translation import gettext_lazy as _
from netbox.tables import NetBoxTable, columns

from netbox_archiflow.models import Alert

__all__ = ('AlertTable',)

# The table sits inside the list's bulk-action form (forms cannot nest): Acknowledge posts that form, with its CSRF
# token, to the acknowledge view; Resolve opens a confirmation page.
ALERT_ACTIONS = """
{% load i18n %}
{% if record.resolved_at is None and perms.netbox_archiflow.change_alert %}
  {% with return_url=request.get_full_path|urlencode %}
    {% if record.acknowledged_at is None %}
      <button type="submit" class="btn btn-sm btn-warning" formmethod="post"
        formaction="{% url 'plugins:netbox_archiflow:alert_acknowledge' pk=record.pk %}?return_url={{ return_url }}">
        <i class="mdi mdi-check" aria-hidden="true"></i> {% trans "Acknowledge" %}
      </button>
    {% endif %}
    <a class="btn btn-sm btn-success" role="button"
      href="{% url 'plugins:netbox_archiflow:alert_resolve' pk=record.pk %}?return_url={{ return_url }}">
      <i class="mdi mdi-check-all" aria-hidden="true"></i> {% trans "Resolve" %}
    </a>
  {% endwith %}
{% endif %}
"""

# A deleted object keeps the name it had: the alert still says what it was about.
ALERT_OBJECT = """
{% load i18n %}
{% if record.object %}
  <a href="{{ record.object.get_absolute_url }}">{{ record.object }}</a>
{% elif record.object_repr %}
  {{ record.object_repr }} <span class="text-muted">({% trans "deleted" %})</span>
{% else %}
  &mdash;
{% endif %}
"""


class AlertTable(NetBoxTable):
    id = tables.Column(verbose_name=_('ID'), linkify=True)
    severity = columns.ChoiceFieldColumn(verbose_name=_('Severity'))
    alert_type = columns.ChoiceFieldColumn(verbose_name=_('Type'))
    object_type = columns.ContentTypeColumn(verbose_name=_('Object type'))
    object = columns.TemplateColumn(template_code=ALERT_OBJECT, verbose_name=_('Object'), orderable=False)
    status = columns.ChoiceFieldColumn(verbose_name=_('Status'), accessor='get_status_display', orderable=False)
    message = tables.Column(verbose_name=_('Message'))
    acknowledged_by = tables.Column(verbose_name=_('Acknowledged by'))
    acknowledged_at = columns.DateTimeColumn(verbose_name=_('Acknowledged'))
    resolved_by = tables.Column(verbose_name=_('Resolved by'))
    resolved_at = columns.DateTimeColumn(verbose_name=_('Resolved'))
    created = columns.DateTimeColumn(verbose_name=_('Raised'))
    alert_actions = columns.TemplateColumn(
        template_code=ALERT_ACTIONS,
        verbose_name='',
        orderable=False,
        exclude_from_export=True,
        attrs={'td': {'class': 'text-end text-nowrap'}},
    )
    tags = columns.TagColumn(url_name='plugins:netbox_archiflow:alert_list')

    class Meta(NetBoxTable.Meta):
        model = Alert
        fields = (
            'pk',
            'id',
            'status',
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
            'status',
            'severity',
            'alert_type',
            'object',
            'message',
            'created',
            'acknowledged_at',
            'resolved_at',
            'alert_actions',
        )
