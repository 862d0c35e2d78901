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

/** Whether the error, or one it wraps (Dexie keeps the browser's as `inner`), is a DOMException of one of these names. */
function isNamed(e: unknown, names: readonly string[]): boolean {
  let cause: unknown = e;
  for (let i = 0; i < 3 && typeof cause === 'object' && cause; i++) {
    if ('name' in cause && names.includes(String(cause.name))) return true;
    cause = 'inner' in cause ? cause.inner : undefined;
  }
  return false;
}

export const isQuotaError = (e: unknown): boolean => isNamed(e, ['QuotaExceededError', 'QuotaExceeded']);
export const isConstraintError = (e: unknown): boolean => isNamed(e, ['ConstraintError']);
