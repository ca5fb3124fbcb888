"""Alerts about pools, addresses and devices, raised and resolved by the alert service."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from netbox.models import NetBoxModel

from netbox_archiflow.choices import AlertSeverityChoices, AlertStatusChoices, AlertTypeChoices

__all__ = ('ALERT_OBJECT_MODELS', 'Alert')

# What each type of alert is about (app_label.model): imports must match it, and deleting such an object
# resolves its open alerts.
ALERT_OBJECT_MODELS = {
    AlertTypeChoices.TYPE_POOL_EXHAUSTED: 'netbox_archiflow.ippool',
    AlertTypeChoices.TYPE_POOL_THRESHOLD: 'netbox_archiflow.ippool',
    AlertTypeChoices.TYPE_IP_CONFLICT: 'ipam.ipaddress',
    AlertTypeChoices.TYPE_DEVICE_DOWN: 'dcim.device',
}


class Alert(NetBoxModel):
    alert_type = models.CharField(verbose_name=_('type'), max_length=30, choices=AlertTypeChoices)
    severity = models.CharField(verbose_name=_('severity'), max_length=20, choices=AlertSeverityChoices)
    object_type = models.ForeignKey(
        to='contenttypes.ContentType', on_delete=models.CASCADE, related_name='+', verbose_name=_('object type')
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_('object ID'))
    object = GenericForeignKey(ct_field='object_type', fk_field='object_id')
    object_repr = models.CharField(verbose_name=_('object'), max_length=200, blank=True)
    message = models.TextField(verbose_name=_('message'))
    details = models.JSONField(verbose_name=_('details'), blank=True, default=dict)
    acknowledged_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('acknowledged by'),
    )
    acknowledged_at = models.DateTimeField(verbose_name=_('acknowledged at'), blank=True, null=True)
    resolved_by = models.ForeignKey(
        to=settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name='+',
        blank=True,
        null=True,
        verbose_name=_('resolved by'),
    )
    resolved_at = models.DateTimeField(verbose_name=_('resolved at'), blank=True, null=True)

    class Meta:
        ordering = ('-created', '-pk')
        verbose_name = _('alert')
        verbose_name_plural = _('alerts')
        indexes = (models.Index(fields=('object_type', 'object_id'), name='netbox_archiflow_alert_object'),)
        constraints = (
            models.UniqueConstraint(
                fields=('alert_type', 'object_type', 'object_id'),
                condition=Q(resolved_at__isnull=True),
                name='netbox_archiflow_alert_one_open_per_object',
                violation_error_message=_('An open alert of this type already exists for this object.'),
            ),
        )

    def __str__(self):
        return f'{self.get_alert_type_display()}: {self.object_repr or self.object_id}'

    def get_absolute_url(self):
        return reverse('plugins:netbox_archiflow:alert', args=[self.pk])

    def get_severity_color(self):
        return AlertSeverityChoices.colors.get(self.severity)

    def get_alert_type_color(self):
        return AlertTypeChoices.colors.get(self.alert_type)

    @property
    def status(self):
        if self.resolved_at is not None:
            return AlertStatusChoices.STATUS_RESOLVED
        if self.acknowledged_at is not None:
            return AlertStatusChoices.STATUS_ACKNOWLEDGED
        return AlertStatusChoices.STATUS_OPEN

    def get_status_display(self):
        return dict(AlertStatusChoices)[self.status]

    def get_status_color(self):
        return AlertStatusChoices.colors.get(self.status)

    @property
    def is_open(self):
        return self.resolved_at is None

    @property
    def is_acknowledged(self):
        return self.acknowledged_at is not None
