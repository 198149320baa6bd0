/**
 * The OpenAPI 3.0 description of the gateway, served at `/openapi.json`. Written by hand to match
 * server/gateway.ts; test/server/openapi.test.ts checks that every route the gateway serves is here.
 */

const json = (schema: object) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ok = (description: string, schema: object) => ({ description, content: json(schema) });
const error = (description: string) => ({ description, content: json(ref('Error')) });

const sessionParam = { name: 'sessionHandle', in: 'path', required: true, schema: { type: 'string' } };
const operationParam = { name: 'operationHandle', in: 'path', required: true, schema: { type: 'string' } };
const statusBody = ok('The operation status', ref('OperationStatus'));

export function openApiDocument(version: string): object {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Rivulet SQL Gateway REST API',
      version,
      description:
        "Flink SQL Gateway REST v1 compatible API of Rivulet. Every endpoint except /healthz needs 'Authorization: Bearer <token>' when the server has a token.",
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['errors', 'code'],
          properties: {
            errors: { type: 'array', items: { type: 'string' } },
            code: { type: 'string', description: 'A stable error code, e.g. SQL_SYNTAX, SESSION_NOT_FOUND' },
            position: {
              type: 'object',
              properties: { line: { type: 'integer' }, column: { type: 'integer' } },
            },
          },
        },
        OperationStatus: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['RUNNING', 'FINISHED', 'CANCELED', 'ERROR', 'CLOSED'] },
          },
        },
        ColumnInfo: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            logicalType: {
              type: 'object',
              properties: { type: { type: 'string' }, nullable: { type: 'boolean' } },
            },
          },
        },
        RowData: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'] },
            fields: { type: 'array', items: {} },
          },
        },
        FetchResult: {
          type: 'object',
          properties: {
            resultType: { type: 'string', enum: ['NOT_READY', 'PAYLOAD', 'EOS'] },
            isQueryResult: { type: 'boolean' },
            jobID: { type: 'string' },
            resultKind: { type: 'string', enum: ['SUCCESS', 'SUCCESS_WITH_CONTENT'] },
            results: {
              type: 'object',
              properties: {
                columns: { type: 'array', items: ref('ColumnInfo') },
                rowFormat: { type: 'string', enum: ['JSON'] },
                data: { type: 'array', items: ref('RowData') },
              },
            },
            nextResultUri: { type: 'string', nullable: true },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': {
        get: {
          summary: 'Liveness probe (never needs a token)',
          security: [],
          responses: { 200: ok('Up', { type: 'object', properties: { status: { type: 'string' } } }) },
        },
      },
      '/v1/info': {
        get: {
          summary: 'Product name and version',
          responses: {
            200: ok('Info', {
              type: 'object',
              properties: { productName: { type: 'string' }, version: { type: 'string' } },
            }),
          },
        },
      },
      '/api_versions': {
        get: {
          summary: 'REST API versions served (as Flink SQL Gateway: V1)',
          responses: {
            200: ok('Versions', {
              type: 'object',
              properties: { versions: { type: 'array', items: { type: 'string' } } },
            }),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics: sessions, operations and jobs by status, records in/out per job',
          responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': {} } } },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { 200: ok('OpenAPI 3 document', { type: 'object' }) } },
      },
      '/v1/sessions': {
        post: {
          summary: 'Open a session',
          requestBody: {
            required: false,
            content: json({
              type: 'object',
              properties: {
                sessionName: { type: 'string' },
                properties: {
                  type: 'object',
                  additionalProperties: { type: 'string' },
                  description: "Session options, as with SET (e.g. 'table.local-time-zone')",
                },
              },
            }),
          },
          responses: {
            200: ok('The new session', { type: 'object', properties: { sessionHandle: { type: 'string' } } }),
            400: error('An invalid option value'),
            401: error('Missing or wrong token'),
            413: error('Request body too large'),
          },
        },
      },
      '/v1/sessions/{sessionHandle}': {
        parameters: [sessionParam],
        get: {
          summary: 'Session name and options',
          responses: {
            200: ok('The session', {
              type: 'object',
              properties: {
                sessionName: { type: 'string' },
                properties: { type: 'object', additionalProperties: { type: 'string' } },
              },
            }),
            404: error('Unknown session'),
          },
        },
        delete: {
          summary: 'Close a session and cancel the jobs it started',
          responses: {
            200: ok('Closed', { type: 'object', properties: { status: { type: 'string' } } }),
            404: error('Unknown session'),
          },
        },
      },
      '/v1/sessions/{sessionHandle}/heartbeat': {
        parameters: [sessionParam],
        post: {
          summary: 'Keep an idle session open',
          responses: { 200: ok('Alive', { type: 'object' }), 404: error('Unknown session') },
        },
      },
      '/v1/sessions/{sessionHandle}/statements': {
        parameters: [sessionParam],
        post: {
          summary: 'Execute a statement (or a script; the operation is its last statement)',
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['statement'],
              properties: {
                statement: { type: 'string' },
                executionConfig: {
                  type: 'object',
                  additionalProperties: { type: 'string' },
                  description: 'Options for this statement only',
                },
              },
            }),
          },
          responses: {
            200: ok('The operation', { type: 'object', properties: { operationHandle: { type: 'string' } } }),
            400: error('SQL error (syntax, planning, catalog), with its position'),
            404: error('Unknown session'),
          },
        },
      },
      '/v1/sessions/{sessionHandle}/operations': {
        parameters: [sessionParam],
        get: {
          summary: "The session's operations",
          responses: { 200: ok('Operations', { type: 'object' }), 404: error('Unknown session') },
        },
      },
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}': {
        parameters: [sessionParam, operationParam],
        delete: {
          summary: "Close an operation (a query's job stops)",
          responses: { 200: statusBody, 404: error('Unknown session or operation') },
        },
      },
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/status': {
        parameters: [sessionParam, operationParam],
        get: {
          summary: 'Operation status',
          responses: { 200: statusBody, 404: error('Unknown session or operation') },
        },
      },
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/cancel': {
        parameters: [sessionParam, operationParam],
        post: {
          summary: 'Cancel an operation (stops its job)',
          responses: { 200: statusBody, 404: error('Unknown session or operation') },
        },
      },
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/result/{token}': {
        parameters: [
          sessionParam,
          operationParam,
          { name: 'token', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
          { name: 'rowFormat', in: 'query', required: false, schema: { type: 'string', enum: ['JSON'] } },
        ],
        get: {
          summary:
            'One page of results. Fetch tokens in order from 0 (follow nextResultUri); the previous token may be fetched again (retry). With Accept: application/vnd.apache.arrow.stream the page is an Arrow IPC stream with an extra Int8 column $row_kind, and the result type and next URI are in the headers x-rivulet-result-type and x-rivulet-next-result-uri.',
          responses: {
            200: {
              description: 'A page',
              content: {
                ...json(ref('FetchResult')),
                'application/vnd.apache.arrow.stream': { schema: { type: 'string', format: 'binary' } },
              },
            },
            400: error('A token out of order'),
            404: error('Unknown session or operation'),
            409: error('The operation was canceled'),
            500: error('The job failed'),
          },
        },
      },
      '/v1/sessions/{sessionHandle}/operations/{operationHandle}/result/stream': {
        parameters: [sessionParam, operationParam],
        get: {
          summary:
            'All results pushed as they come: NDJSON (one JSON object a line: columns, then one change a line, then {"resultType":"EOS"}), or server-sent events with Accept: text/event-stream (events columns, change, eos, error), or one Arrow IPC stream (a record batch per page, with the $row_kind column) with Accept: application/vnd.apache.arrow.stream',
          responses: {
            200: {
              description: 'A stream of changes',
              content: {
                'application/x-ndjson': {},
                'text/event-stream': {},
                'application/vnd.apache.arrow.stream': { schema: { type: 'string', format: 'binary' } },
              },
            },
            404: error('Unknown session or operation'),
          },
        },
      },
    },
  };
}
