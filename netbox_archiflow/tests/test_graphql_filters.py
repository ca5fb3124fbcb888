from django.urls import reverse
from utilities.testing import APITestCase

# (list query, filter field, a valid enum value)
ENUM_FILTERS = (
    ('netbox_archiflow_segment_list', 'status', 'STATUS_FREE'),
    ('netbox_archiflow_ippool_list', 'pool_type', 'TYPE_STATIC'),
    ('netbox_archiflow_alert_list', 'alert_type', 'TYPE_IP_CONFLICT'),
    ('netbox_archiflow_alert_list', 'severity', 'SEVERITY_CRITICAL'),
    ('netbox_archiflow_diagram_list', 'status', 'STATUS_LIVE'),
    ('netbox_archiflow_diagram_version_list', 'kind', 'KIND_RESTORE'),
)


class EnumFilterTest(APITestCase):
    def test_a_value_outside_the_choices_is_an_error_not_an_empty_list(self):
        self.user.is_superuser = True
        self.user.save()
        for query, field, valid in ENUM_FILTERS:
            for value, ok in ((valid, True), ('BOGUS', False), ('"free"', False)):
                graphql = f'{{ {query}(filters: {{{field}: {{exact: {value}}}}}) {{ id }} }}'
                response = self.client.post(reverse('graphql'), {'query': graphql}, format='json', **self.header)
                data = response.json()
                if ok:
                    self.assertEqual(data, {'data': {query: []}}, graphql)
                else:
                    self.assertIn('errors', data, graphql)
