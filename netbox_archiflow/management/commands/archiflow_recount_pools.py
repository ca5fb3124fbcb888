"""Recompute the IP pool usage counters the database triggers keep (``--check`` only reports drift)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from netbox_archiflow.models import IPPool, IPPoolUsage
from netbox_archiflow.services import pools as pool_service

COUNTS = ('total', 'populated', 'occupied', 'allocated')


def _counts(pool_id):
    return IPPoolUsage.objects.filter(pool_id=pool_id).values(*COUNTS).first()


class Command(BaseCommand):
    help = 'Recompute the usage counters of every IP pool from the rows they count; --check reports drift only.'

    def add_arguments(self, parser):
        parser.add_argument('--check', action='store_true', help='report pools whose counters drifted, change nothing')

    def handle(self, *args, check=False, **options):
        drifted = 0
        for pool in IPPool.objects.order_by('pk'):
            with transaction.atomic():
                before = _counts(pool.pk)
                pool_service.rebuild_usage(pool.pk)
                after = _counts(pool.pk)
                if check:
                    transaction.set_rollback(True)
            before = before or dict.fromkeys(COUNTS)
            changes = [f'{name} {before[name]} -> {after[name]}' for name in COUNTS if before[name] != after[name]]
            if changes:
                drifted += 1
                self.stdout.write(f'{pool} (#{pool.pk}): {", ".join(changes)}')
        verb = 'drifted' if check else 'corrected'
        self.stdout.write(f'{drifted} of {IPPool.objects.count()} pools {verb}.')
        if check and drifted:
            raise CommandError(f'{drifted} pools have drifted counters; run without --check to correct them.')
