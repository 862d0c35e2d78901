// Every error leaves as the shared ApiError JSON. 4xx name what to fix; 5xx say nothing of the
// cause (it goes to the log).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_BATCH_BYTES } from '../shared/protocol';
import { ApiProblem } from './api-problem';
import { DriveKeyMissingError } from './db/drive-keys';
import { KdfBusyError } from './memory-hard';

/** Fastify's own request errors, by their code. */
const FASTIFY_PROBLEMS: Record<string, () => ApiProblem> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () => new ApiProblem(400, 'invalid_json', 'The request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new ApiProblem(400, 'invalid_json', 'The request body is empty; send a JSON object'),
  FST_ERR_CTP_BODY_TOO_LARGE: () => new ApiProblem(413, 'body_too_large', `The request is larger than ${MAX_BATCH_BYTES} bytes: send fewer records per batch`),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new ApiProblem(415, 'unsupported_media_type', 'Send the body as application/json'),
  FST_ERR_BAD_URL: () => new ApiProblem(400, 'invalid_url', 'This address is not a valid URL: a % must be followed by two hexadecimal digits'),
};

const NOT_FOUND = (): ApiProblem => new ApiProblem(404, 'not_found', 'There is nothing at this address');

const INTERNAL = (): ApiProblem => new ApiProblem(500, 'internal', 'The server ran into a problem. Try again later; if it keeps happening, tell your lead.');

export function toApiProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof DriveKeyMissingError) {
    return new ApiProblem(
      409,
      'drive_key_missing',
      "This drive has no passphrase yet: the organizer sets it on the drive's page before tablets can take signers",
    );
  }
  const known = FASTIFY_PROBLEMS[String(property(error, 'code'))];
  if (known) return known();
  const status = Number(property(error, 'statusCode'));
  // The static files refuse a path that climbs out of their folder (`..`) or holds a NUL with 403:
  // there is nothing at such an address.
  if (status === 404 || status === 403) return NOT_FOUND();
  if (status >= 400 && status < 500) return new ApiProblem(status, 'invalid_body', 'The request could not be read');
  return INTERNAL();
}

function property(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

export function handleErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const problem = toApiProblem(error);
    if (error instanceof KdfBusyError) reply.header('retry-after', String(error.retryAfterS));
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(problem.status).send(problem.body);
  });
}

/** Fastify's `frameworkErrors`: errors met before routing (a URL it cannot decode), in the same JSON. */
export function answerFrameworkError(error: Error, reply: FastifyReply): void {
  const problem = toApiProblem(error);
  void reply.code(problem.status).send(problem.body);
}

/** Unknown addresses: the app's page for a browser navigation, JSON for everything else. */
export function handleNotFound(app: FastifyInstance, navigate?: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  app.setNotFoundHandler((request, reply) => {
    if (navigate?.(request, reply)) return reply;
    return reply.code(404).send(NOT_FOUND().body);
  });
}
