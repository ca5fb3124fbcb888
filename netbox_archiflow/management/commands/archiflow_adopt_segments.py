"""Turn the predecessor's prefixes (custom fields ``DHCP`` and ``Cluster``) into ArchiFlow segments."""

from dcim.models import SiteGroup
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef
from extras.models import CustomField
from ipam.choices import PrefixStatusChoices
from ipam.models import Prefix

from netbox_archiflow.choices import SegmentStatusChoices
from netbox_archiflow.contextvars import service_write
from netbox_archiflow.management.changelog import change_logged, command_user
from netbox_archiflow.models import Segment
from netbox_archiflow.services import segments as service
from netbox_archiflow.services.errors import ServiceError
from netbox_archiflow.services.locks import lock_pool


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in ('true', 'yes', '1', 'on')
    return bool(value)


class Progress:
    """A dependency-free progress bar: redrawn in place on a terminal, a line every 10% otherwise."""

    def __init__(self, stream, total, enabled=True):
        self.stream, self.total, self.done, self.enabled = stream, total, 0, enabled and total > 0
        self.tty = hasattr(stream, 'isatty') and stream.isatty()
        self.last_decile = -1

    def step(self):
        self.done += 1
        if not self.enabled:
            return
        fraction = self.done / self.total
        if self.tty:
            bar = '#' * int(fraction * 30)
            self.stream.write(f'\r[{bar:<30}] {self.done}/{self.total}', ending='')
            if self.done == self.total:
                self.stream.write('')
        elif int(fraction * 10) != self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(f'{self.done}/{self.total} prefixes ({fraction:.0%})')


class Command(BaseCommand):
    help = (
        'Adopt prefixes carrying the predecessor custom fields "DHCP" and "Cluster" as ArchiFlow segments. '
        'A candidate prefix is in a VRF and scoped to a site group. Idempotent: adopted prefixes are skipped.'
    )

    def add_arguments(self, parser):
        parser.add_argument('--dry-run', action='store_true', help='Report what would be adopted; change nothing')
        parser.add_argument('--user', help='Attribute the changes to this user (default: the first superuser)')
        parser.add_argument('--no-progress', action='store_true', help='Do not draw a progress bar')

    def custom_field_names(self):
        """The predecessor's field names as they exist here (matched case-insensitively)."""
        names = CustomField.objects.filter(object_types__app_label='ipam', object_types__model='prefix').values_list(
            'name', flat=True
        )
        found = {name.lower(): name for name in names}
        return found.get('dhcp'), found.get('cluster')

    def candidates(self, dhcp_field, cluster_field):
        queryset = Prefix.objects.filter(
            vrf__isnull=False,
            scope_type=ContentType.objects.get_for_model(SiteGroup),
        ).exclude(status=PrefixStatusChoices.STATUS_CONTAINER)
        queryset = queryset.exclude(Exists(Segment.objects.filter(prefix=OuterRef('pk'))))
        keys = [name for name in (dhcp_field, cluster_field) if name]
        queryset = queryset.filter(custom_field_data__has_any_keys=keys) if keys else queryset.none()
        return queryset.select_related('vrf', 'vlan').order_by('vrf__name', 'prefix')

    def handle(self, *args, **options):
        dry_run = options['dry_run']
        user = command_user(options['user'])
        dhcp_field, cluster_field = self.custom_field_names()
        if not (dhcp_field or cluster_field):
            self.stdout.write('No prefix custom field named DHCP or Cluster exists: nothing to adopt.')
            return
        candidates = list(self.candidates(dhcp_field, cluster_field))
        self.stdout.write(f'{len(candidates)} prefix(es) to adopt{" (dry run)" if dry_run else ""}')
        progress = Progress(self.stdout, len(candidates), enabled=not options['no_progress'])
        adopted = allocated = skipped = 0
        with change_logged(user):
            for prefix in candidates:
                try:
                    outcome = self.adopt(prefix, dhcp_field, cluster_field, dry_run)
                except ServiceError as exc:
                    outcome = None
                    self.stderr.write(f'{prefix} (VRF {prefix.vrf}): skipped, {exc.detail}')
                progress.step()
                if outcome is None:
                    skipped += 1
                    continue
                adopted += 1
                allocated += outcome == SegmentStatusChoices.STATUS_ALLOCATED
        verb = 'would adopt' if dry_run else 'adopted'
        self.stdout.write(self.style.SUCCESS(f'{verb} {adopted} segment(s) ({allocated} allocated), skipped {skipped}'))

    def adopt(self, prefix, dhcp_field, cluster_field, dry_run):
        """Adopt one prefix in its own transaction; return the new segment status (None when skipped)."""
        data = prefix.custom_field_data or {}
        cluster = str(data.get(cluster_field) or '').strip()[:100] if cluster_field else ''
        dhcp = _truthy(data.get(dhcp_field)) if dhcp_field else False
        status = SegmentStatusChoices.STATUS_ALLOCATED if cluster else SegmentStatusChoices.STATUS_FREE
        if dry_run:
            return status
        site_group = SiteGroup.objects.get(pk=prefix.scope_id)
        with transaction.atomic():
            lock_pool('available-prefixes', 'segment', site_group.pk, prefix.vrf_id)
            prefix = Prefix.objects.select_for_update(of=('self',)).select_related('vrf', 'vlan').get(pk=prefix.pk)
            if Segment.objects.filter(prefix=prefix).exists():  # adopted meanwhile
                return None
            vlan = prefix.vlan or service.get_or_create_segment_vlan(site_group, prefix.vrf)
            wanted = service.prefix_status_for(status)
            if prefix.vlan_id != vlan.pk or prefix.status != wanted:
                prefix.snapshot()
                prefix.vlan = vlan
                prefix.status = wanted
                with service_write():
                    prefix.save()
            Segment.objects.create(
                prefix=prefix,
                vrf=prefix.vrf,
                site_group=site_group,
                vlan=vlan,
                dhcp=dhcp,
                cluster=cluster,
                status=status,
                allocated_at=prefix.last_updated or prefix.created if cluster else None,
                description=prefix.description,
            )
        return status
