// The Fieldpen server: the sync API and the built PWA on one origin.
import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import { useSha256Hex } from '../shared/digest';
import { MAX_BATCH_BYTES } from '../shared/protocol';
import { accountAuth } from './account-auth';
import { deviceAuth } from './device-auth';
import type { ConnectOptions } from './db/connect';
import type { Database } from './db/schema';
import { DeliveryJobs } from './delivery/job-runner';
import { answerFrameworkError, handleErrors, handleNotFound } from './error-handling';
import { ApiProblem } from './api-problem';
import { auditRoutes } from './routes/audit';
import { fastifyTrustProxy, type TrustProxy } from './proxy-config';
import { batchesRoute } from './routes/batches';
import { deliveryRoutes } from './routes/deliveries';
import { driveRoute } from './routes/drive';
import { enrollRoute } from './routes/enroll';
import { driveRoutes } from './routes/drives';
import { leadRoutes } from './routes/lead';
import { sessionRoutes } from './routes/session';
import { driveKeyRoutes } from './routes/drive-key';
import { signersRoutes } from './routes/signers';
import { LiveUpdates } from './live-updates';
import { securityHeaders } from './security-headers';
import { nodeSha256Hex } from './batch/record-digest';
import { DEFAULT_LIMITS, guardAgainstOverload, type OverloadGuard, type OverloadLimits } from './overload';
import { serveStaticFiles } from './static-files';

export interface ServerOptions {
  db: Kysely<Database>;
  /** The built PWA (`dist/`); served when it exists. */
  staticDir?: string | undefined;
  /** Fastify's logger: `true` for the request log on stdout; tests pass pino options with a stream of their own. */
  logger?: FastifyServerOptions['logger'] | undefined;
  /** Behind a reverse proxy: how many hops, or which proxy addresses, may set X-Forwarded-* (src/server/proxy-config.ts). */
  trustProxy?: TrustProxy | undefined;
  /** The origin tablets and leads reach the server at (`PUBLIC_URL`): QR codes, links, the Origin check. */
  publicOrigin?: string | undefined;
  /**
   * Delivery packages: where finished ones are kept (`DATA_DIR/deliveries`) and how the build's
   * worker thread opens its own connection to the same database. Without it there is no Deliver API.
   */
  deliveries?: { dir: string; connection: ConnectOptions; signingKeyFile?: string | undefined } | undefined;
  /** Bounds past which requests are turned away at once (503/429 with Retry-After); see overload.ts. */
  limits?: Partial<OverloadLimits> | undefined;
  /** Queries waiting for a database connection (PostgreSQL's pool), for the overload guard. */
  poolQueue?: (() => number) | undefined;
  /** How often each dashboard event stream checks its session and polls for changes (default 5 s; tests shorten it). */
  livePollMs?: number | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The delivery builds of this server (undefined without `deliveries`). */
    deliveryJobs: DeliveryJobs | undefined;
    /** The overload guard: main.ts drains it on SIGTERM. */
    overload: OverloadGuard;
    /** The operator's public origin, when given; otherwise each request's own protocol and host. */
    publicOrigin: string | undefined;
  }
}

export function buildServer({
  db,
  staticDir,
  logger = false,
  trustProxy = false,
  publicOrigin,
  deliveries,
  limits,
  poolQueue,
  livePollMs,
}: ServerOptions): FastifyInstance {
  // Record digests with node:crypto: the same SHA-256 as WebCrypto, without its per-call cost.
  useSha256Hex(nodeSha256Hex);
  // Requests on kept-alive connections during a shutdown get the overload guard's 503, in the API's shape.
  // A URL Fastify cannot decode (`/api/v1/%`) never reaches the error handler: answer it here.
  const app = Fastify({
    logger,
    bodyLimit: MAX_BATCH_BYTES,
    trustProxy: fastifyTrustProxy(trustProxy),
    return503OnClosing: false,
    frameworkErrors: (error, _request, reply) => answerFrameworkError(error, reply),
  });
  app.decorate('publicOrigin', publicOrigin);
  // Cookies parsed by @fastify/cookie: a value it cannot decode stays as sent, and matches no session.
  app.register(fastifyCookie);
  // JSON only: a text/plain body gets 415, not a string the routes would have to reject.
  app.removeContentTypeParser('text/plain');
  handleErrors(app);
  securityHeaders(app, staticDir);
  refuseControlCharactersInPaths(app);
  app.decorate('overload', guardAgainstOverload(app, { ...DEFAULT_LIMITS, ...limits }, poolQueue));

  const navigate = staticDir && existsSync(staticDir) ? serveStaticFiles(app, staticDir) : undefined;
  handleNotFound(app, navigate);

  const live = new LiveUpdates();
  const requireDevice = deviceAuth(app, db);
  const requireAccount = accountAuth(app, db);
  enrollRoute(app, db, live);
  driveRoute(app, db, requireDevice);
  batchesRoute(app, db, requireDevice, live);
  sessionRoutes(app, db, requireAccount);
  driveRoutes(app, db, requireAccount);
  leadRoutes(app, db, requireAccount, live, livePollMs);
  signersRoutes(app, db, requireAccount);
  driveKeyRoutes(app, db, requireAccount);
  auditRoutes(app, db, requireAccount);

  const jobs = deliveries && new DeliveryJobs({ db, ...deliveries, log: app.log });
  app.decorate('deliveryJobs', jobs);
  if (jobs) {
    deliveryRoutes(app, db, requireAccount, jobs);
    // A build a killed process left behind is failed and its files removed before anything is served.
    app.addHook('onReady', () => jobs.recover());
    app.addHook('preClose', () => jobs.close());
  }
  return app;
}

/**
 * An id in the path holding a NUL or another control character names nothing the server has (it
 * never makes such ids), and PostgreSQL's text cannot even hold a NUL: answered 404 before any query.
 */
function refuseControlCharactersInPaths(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const params = request.params as Record<string, unknown> | undefined;
    if (!params) return;
    for (const value of Object.values(params)) {
      if (typeof value === 'string' && /[\u0000-\u001f\u007f]/.test(value)) throw new ApiProblem(404, 'not_found', 'There is nothing at this address');
    }
  });
}
