import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * fastify's request lines at debug instead of info: an operator watches Workers at info and turns
 * requests on with `--log-level debug`. Failed requests stay at error. Paths only, never query strings.
 */
export class RequestsAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, _request: FastifyRequest, reply: FastifyReply): void {
    const fields = { res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...fields, err: { message: error.message } }, 'request errored');
    else reply.log.debug(fields, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'route not found');
  }
}
