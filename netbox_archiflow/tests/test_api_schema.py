"""``/api/schema/`` is NetBox's whole OpenAPI document: the plugin must not break it, and must describe itself truly."""

from openapi_spec_validator import validate
from utilities.testing import APITestCase

PREFIX = '/api/plugins/archiflow/'


class SchemaTest(APITestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.schema = None

    def get_schema(self):
        if SchemaTest.schema is None:
            response = self.client.get('/api/schema/?format=json', **self.header)
            self.assertEqual(response.status_code, 200, response.content[:2000])
            SchemaTest.schema = response.json()
        return SchemaTest.schema

    def test_schema_is_valid_openapi_with_the_plugin_paths(self):
        schema = self.get_schema()
        validate(schema)
        paths = {path for path in schema['paths'] if path.startswith(PREFIX)}
        for path in ('segments/', 'segments/allocate/', 'ip-pools/{id}/allocate/', 'alerts/', 'diagrams/', 'rpc/'):
            self.assertIn(PREFIX + path, paths)

    def test_rpc_has_request_and_response_bodies(self):
        operation = self.get_schema()['paths'][PREFIX + 'rpc/']['post']
        self.assertIn('application/json', operation['requestBody']['content'])
        self.assertIn('application/json', operation['responses']['200']['content'])

    def test_segment_allocate_documents_the_idempotent_200_beside_the_201(self):
        responses = self.get_schema()['paths'][PREFIX + 'segments/allocate/']['post']['responses']
        for code in ('200', '201'):
            with self.subTest(code=code):
                body = responses[code]['content']['application/json']['schema']
                self.assertEqual(body, {'type': 'array', 'items': {'$ref': '#/components/schemas/Segment'}})
        self.assertIn('already', responses['200']['description'])

    def test_segment_references_are_brief_objects_written_as_ids_slugs_or_names(self):
        components = self.get_schema()['components']['schemas']
        self.assertEqual(
            components['Segment']['properties']['site_group']['allOf'][0]['$ref'], '#/components/schemas/BriefSiteGroup'
        )
        written = components['WritableSegmentRequest']['properties']['site_group']['oneOf']
        self.assertEqual([choice['type'] for choice in written], ['integer', 'string', 'object'])
        self.assertEqual(components['WritableSegmentRequest']['properties']['dhcp'], {'type': 'boolean'})

    def test_links_lead_from_each_object_to_every_operation_on_it(self):
        """Every link resolves to an operation of the document, and every operation on one object is reached by one."""
        schema = self.get_schema()
        targets = set()
        for path, item in schema['paths'].items():
            for operation in item.values():
                for response in operation.get('responses', {}).values():
                    for name, link in response.get('links', {}).items():
                        with self.subTest(path=path, link=name):
                            pointer = link['operationRef'].removeprefix('#/paths/')
                            target_path, _, method = pointer.rpartition('/')
                            target_path = target_path.replace('~1', '/').replace('~0', '~')
                            self.assertIn(method, schema['paths'][target_path])
                            targets.add((target_path, method))
        on_one_object = {
            (path, method)
            for path, item in schema['paths'].items()
            if path.startswith(PREFIX) and '{id}' in path
            for method in item
            if method in ('get', 'put', 'patch', 'delete', 'post')
        }
        self.assertEqual(on_one_object - targets, set())

    def test_segment_create_links_to_the_created_segment(self):
        links = self.get_schema()['paths'][PREFIX + 'segments/']['post']['responses']['201']['links']
        self.assertEqual(links['patch']['parameters'], {'path.id': '$response.body#/id'})
        self.assertEqual(links['patch']['operationRef'], '#/paths/~1api~1plugins~1archiflow~1segments~1{id}~1/patch')
        restore = self.get_schema()['paths'][PREFIX + 'diagrams/']['post']['responses']['201']['links']['post-restore']
        self.assertEqual(restore['requestBody'], {'version': '$response.body#/version'})
