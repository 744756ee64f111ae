import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * One check a request passes before its route runs. It answers the request itself (and returns
 * true) to refuse it, or returns false to let it through. Synchronous on purpose: the gates run
 * in one onRequest hook, so a request that passes costs no promise per check.
 */
export type RequestGate = (request: FastifyRequest, reply: FastifyReply) => boolean;
