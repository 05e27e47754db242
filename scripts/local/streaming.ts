/**
 * Streaming routes (Lambda response streaming) on the local server. The converse issue plugs its handler
 * in here; until then a streaming route answers 501 JSON.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ServerResponse } from 'node:http';
import type { RouteDef } from '../../functions/http/routes';

export const streamingHandlers = {
  async serve(route: RouteDef, _event: APIGatewayProxyEvent, res: ServerResponse): Promise<void> {
    res.writeHead(501, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'NOT_IMPLEMENTED', message: `${route.id} is not available yet` } }));
  },
};
