import type { FastifyRequest } from 'fastify';
import { sendError } from './replies.js';
import type { RequestGate } from './requestGate.js';

export interface RequestPolicyOptions {
  /** Host names accepted besides the loopback names (the listen host and the public origin's name are added by the caller). */
  readonly hosts: readonly string[];
  /** Cross-origin browser origins allowed (exact `scheme://host[:port]`). */
  readonly origins: readonly string[];
}

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

/**
 * Refuses, before anything else runs, a request whose Host (or absolute-form authority) is not one
 * of this host's names, and a browser request from a foreign origin. The Host check stops DNS
 * rebinding: a page on `evil.example` that resolves to 127.0.0.1 sends `Host: evil.example`, which
 * the origin check alone would take for the host's own origin. An IP address and a `.localhost`
 * name are always served: neither can be rebound (no DNS answer decides where they go).
 */
export function hostAndOriginGate(options: RequestPolicyOptions): RequestGate {
  const names = new Set([...LOOPBACK, ...options.hosts].map(normaliseHostName));
  const hosts = { has: (name: string) => names.has(name) || unrebindable(name) };
  const origins = new Set(options.origins.map((o) => new URL(o).origin));
  // A connection sends the same Host again and again: remember the last few answers.
  const known = new Map<string, boolean>();
  const served = (host: string): boolean => {
    let ok = known.get(host);
    if (ok === undefined) {
      const name = hostNameOf(host);
      ok = name !== null && hosts.has(name);
      if (known.size >= 64) known.clear();
      known.set(host, ok);
    }
    return ok;
  };
  return (request, reply) => {
    const host = request.host;
    if (!host) {
      sendError(reply, 400, 'host_required', 'a Host header is required');
      return true;
    }
    if (!served(host) || !absoluteFormAllowed(request.url, hosts)) {
      sendError(reply, 403, 'host_not_allowed', 'this host name is not served here (add it to allowedHosts)');
      return true;
    }
    if (originAllowed(request, origins)) return false;
    sendError(reply, 403, 'origin_not_allowed', 'cross-origin request refused');
    return true;
  };
}

/**
 * A request without `Origin`, from the host's own origin (scheme as the request arrived, or as a
 * trusted proxy says), or from an allow-listed origin passes; any other browser origin is refused.
 */
function originAllowed(request: FastifyRequest, allowed: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  return origin === `${request.protocol}://${request.host}`;
}

/** An absolute-form target (`GET http://name/path`) names the host itself: it must be one of ours too. */
function absoluteFormAllowed(url: string, hosts: { has(name: string): boolean }): boolean {
  if (url.startsWith('/')) return true;
  const match = /^https?:\/\/([^/?#]*)/i.exec(url);
  if (!match) return url === '*';
  const name = hostNameOf(match[1]!);
  return name !== null && hosts.has(name);
}

/** The name part of a Host value (`name`, `name:port`, `[v6]:port`), lowercased; null when malformed. */
export function hostNameOf(host: string): string | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::\d{1,5})?$/.exec(host);
  if (!match) return null;
  return (match[1] ?? match[2]!).toLowerCase();
}

function unrebindable(name: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(name) || name.includes(':') || name.endsWith('.localhost');
}

function normaliseHostName(name: string): string {
  return name.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
