/**
 * Errors the product raises on purpose. Each maps to one problem+json response
 * (RFC 9457) in the gateway's error middleware; anything else is a 500.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'slot-unavailable'
  | 'rate-limited'
  | 'unavailable'
  | 'payload-too-large'
  | 'unsupported-media-type';

const STATUS: Record<ErrorKind, { status: number; title: string }> = {
  validation: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  'slot-unavailable': { status: 409, title: 'Slot unavailable' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

export interface FieldError {
  /** Dotted path of the offending field, e.g. `workingHours.0.start`. */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSec: number | undefined;

  constructor(kind: ErrorKind, detail: string, opts: { errors?: FieldError[]; retryAfterSec?: number; cause?: unknown } = {}) {
    super(detail, { cause: opts.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.status = STATUS[kind].status;
    this.title = STATUS[kind].title;
    this.errors = opts.errors;
    this.retryAfterSec = opts.retryAfterSec;
  }

  /** The problem type URI, stable for clients to switch on. */
  get type(): string {
    return `https://instudio.dev/problems/${this.kind}`;
  }
}

export const notFound = (what: string, id: string): AppError =>
  new AppError('not-found', `${what} ${id} does not exist; check the id`);
