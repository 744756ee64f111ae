import { randomBytes, randomUUID } from 'node:crypto';
import { injectable } from 'inversify';
import type { IdPort } from '../../ports/idPort.js';

/** Random identifiers: UUIDs for submissions, short base64url ids for Workers and epochs. */
@injectable()
export class RandomIds implements IdPort {
  submissionId(): string {
    return randomUUID();
  }

  workerId(): string {
    return `w-${randomBytes(9).toString('base64url')}`;
  }

  epoch(): string {
    return randomBytes(9).toString('base64url');
  }
}
