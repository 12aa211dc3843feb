/**
 * The HTTP server's request and response classes for an Express app: Node builds each
 * request and response with Express's prototypes (`app.request`, `app.response`) from
 * the start, so Express's `Object.setPrototypeOf(req, app.request)` on every request
 * finds them already set and changes nothing.
 *
 * Why: changing an object's prototype after it is built gives it a new hidden class,
 * and V8 then kept much of each request's garbage past the young generation. Measured
 * at 200 POST/s with `--trace-gc` (2026-12-07): a bare Express 5 app with pino-http
 * promoted 4.7 MB/s to the old generation, and 0.02 MB/s with these classes; the
 * gateway had a full collection every 2–3.5 s under that load (6–11 ms of pause and
 * 17–25 ms of marking steps within 56–90 ms), which set its POST p99.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

export interface MessageClasses {
  IncomingMessage: typeof http.IncomingMessage;
  ServerResponse: typeof http.ServerResponse;
}

export function expressMessageClasses(app: Express): MessageClasses {
  // Constructor functions rather than classes: a class's `prototype` cannot be replaced,
  // and it must be Express's own object for its setPrototypeOf to be a no-op.
  function Request(this: http.IncomingMessage, socket: Socket): void {
    http.IncomingMessage.call(this, socket);
  }
  Request.prototype = app.request;
  function Response(this: http.ServerResponse, req: http.IncomingMessage, options?: unknown): void {
    (http.ServerResponse as unknown as (this: http.ServerResponse, ...args: unknown[]) => void).call(this, req, options);
  }
  Response.prototype = app.response;
  return {
    IncomingMessage: Request as unknown as typeof http.IncomingMessage,
    ServerResponse: Response as unknown as typeof http.ServerResponse,
  };
}
