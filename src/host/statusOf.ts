import type { OperationResult } from '../domain/executionResult.js';

/**
 * HTTP status for a typed result. The body always carries the result itself: clients switch on
 * `result.outcome` and `result.reason`, never on the status alone or on prose.
 */
export function statusOf(result: OperationResult): number {
  switch (result.reason) {
    case 'worker_not_found':
    case 'submission_not_found':
      return 404;
    case 'invalid_request':
    case 'profile_unknown':
      return 400;
    case 'runtime_stopped':
    case 'store_unavailable':
      return 503;
  }
  switch (result.outcome) {
    case 'accepted':
    case 'queued':
      return 202;
    case 'busy':
    case 'rejected':
      return 409;
    case 'unsupported':
      return 501;
    case 'errored':
      return 502;
  }
}
