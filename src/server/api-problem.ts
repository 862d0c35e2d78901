// An API error the client can act on: an HTTP status plus the shared `ApiError` body.
import type { ApiError, ErrorCode } from '../shared/protocol';
import { PROTOCOL_VERSION } from '../shared/protocol';
import type { FieldProblem } from '../shared/schema';

export class ApiProblem extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  get body(): ApiError {
    return apiError(this.code, this.message, this.field);
  }
}

export function apiError(code: ErrorCode, message: string, field?: string): ApiError {
  return { error: field ? { code, message, field } : { code, message } };
}

/** The 400 for a request body the shared schema refused: the first problem, named by its field. */
export function invalidRequest(problems: readonly FieldProblem[], body: unknown): ApiProblem {
  const first = problems[0] ?? { message: 'The request body is not what this endpoint takes' };
  if (speaksOtherProtocol(body)) {
    return new ApiProblem(400, 'unsupported_protocol', `This server speaks protocol ${PROTOCOL_VERSION}: update the app`, 'protocol');
  }
  if (!first.field) return new ApiProblem(400, 'invalid_body', first.message);
  return new ApiProblem(400, 'invalid_field', first.message, first.field);
}

function speaksOtherProtocol(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('protocol' in body)) return false;
  return body.protocol !== undefined && body.protocol !== PROTOCOL_VERSION;
}
