/** The one error middleware: every failure leaves as application/problem+json (RFC 9457). */
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError } from '../../domain/errors';
import { requestId } from './request-id';

function send(res: Response, req: Request, err: AppError): void {
  if (err.retryAfterSec !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterSec))));
  res
    .status(err.status)
    .type('application/problem+json')
    .json({
      type: err.type,
      title: err.title,
      status: err.status,
      detail: err.message,
      instance: req.originalUrl,
      requestId: requestId(req),
      ...(err.errors ? { errors: err.errors } : {}),
    });
}

/** Errors thrown by body-parser, mapped to what the client did wrong. */
function fromBodyParser(err: { type?: string; status?: number; message?: string }): AppError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError('validation', 'the body is not valid JSON; send a JSON object');
    case 'entity.too.large':
      return new AppError('payload-too-large', 'the body is too large; send at most 32 KB');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported-media-type', 'send the body as UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('validation', 'the body could not be read; send it again');
    default:
      return err.status !== undefined && err.status >= 400 && err.status < 500
        ? new AppError('validation', err.message ?? 'bad request')
        : undefined;
  }
}

export const notFoundHandler: RequestHandler = (req) => {
  throw new AppError('not-found', `no route ${req.method} ${req.path}; see /openapi.json`);
};

export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const known = err instanceof AppError ? err : fromBodyParser(err as { type?: string });
  if (known) return send(res, req, known);
  req.log?.error({ err }, 'unhandled error');
  res.status(500).type('application/problem+json').json({
    type: 'about:blank',
    title: 'Internal error',
    status: 500,
    detail: 'something went wrong on our side; retry later and quote the request id',
    requestId: requestId(req),
  });
};
