import type { FieldProblem } from '../shared/schema';

/** The tablet's storage is full: nothing was written; syncing frees room once records are confirmed. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor() {
    super('Storage full — sync now. This signature was not saved: after the sync, save it again.');
  }
}

/** The record would not pass the server's checks: nothing was saved. */
export class InvalidSignatureError extends Error {
  override name = 'InvalidSignatureError';
  constructor(readonly problems: FieldProblem[]) {
    super(`The signature was not saved: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`);
  }
}

export function isQuotaError(e: unknown): boolean {
  const names = ['QuotaExceededError', 'QuotaExceeded'];
  let cause: unknown = e;
  for (let i = 0; i < 3 && cause; i++) {
    if (typeof cause === 'object' && cause && 'name' in cause && names.includes(String(cause.name))) return true;
    cause = typeof cause === 'object' && cause && 'inner' in cause ? cause.inner : undefined;
  }
  return false;
}

export function isConstraintError(e: unknown): boolean {
  let cause: unknown = e;
  for (let i = 0; i < 3 && cause; i++) {
    if (typeof cause === 'object' && cause && 'name' in cause && String(cause.name) === 'ConstraintError') return true;
    cause = typeof cause === 'object' && cause && 'inner' in cause ? cause.inner : undefined;
  }
  return false;
}
