import type { Request } from 'express';

/** The request id pino-http assigned (also sent back as X-Request-Id); always a string here. */
export const requestId = (req: Request): string => (typeof req.id === 'string' ? req.id : '');
