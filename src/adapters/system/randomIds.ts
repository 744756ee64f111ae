import { randomBytes } from 'node:crypto';
import { injectable } from 'inversify';
import type { IdPort } from '../../ports/idPort.js';

/**
 * Random identifiers: short base64url ids for Workers and epochs; submission ids are a random prefix
 * drawn once per instance (64 bits, hex) and a counter (`3f9c0a1b2c3d4e5f-1a`). A submission id must
 * be unique (a backend acknowledges exactly the one it was given; queued inputs keep theirs in a
 * shared catalog across restarts and hosts), not secret: it grants nothing (every route that takes
 * one also takes the bearer token), so a counter behind a fresh random prefix per process does, and
 * costs no random bytes per input. Its shape also suits a decision id (it starts with a letter or digit).
 */
@injectable()
export class RandomIds implements IdPort {
  private readonly prefix = `${randomBytes(8).toString('hex')}-`;
  private counter = 0;

  submissionId(): string {
    return this.prefix + (++this.counter).toString(36);
  }

  workerId(): string {
    return `w-${randomBytes(9).toString('base64url')}`;
  }

  epoch(): string {
    return randomBytes(9).toString('base64url');
  }
}
