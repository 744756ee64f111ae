import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * fastify's request lines at debug instead of info: an operator watches Workers at info and turns
 * requests on with `--log-level debug`. Failed requests stay at error. Paths only, never query strings.
 * Below debug a request costs no log work (no fields are built for a line that would not be written).
 */
export class RequestsAtDebug extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (atDebug(request.log)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, _request: FastifyRequest, reply: FastifyReply): void {
    if (!error && !atDebug(reply.log)) return;
    const fields = { res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...fields, err: { message: error.message } }, 'request errored');
    else reply.log.debug(fields, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    if (atDebug(request.log)) request.log.debug({ req: request }, 'route not found');
  }
}

/** Whether a debug line would be written (pino answers it; a logger that cannot say is asked to write). */
function atDebug(log: FastifyBaseLogger): boolean {
  const level = log as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };
  return level.isLevelEnabled ? level.isLevelEnabled('debug') : true;
}
