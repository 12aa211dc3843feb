import crypto from 'node:crypto';

/** A name no other test (or earlier run) uses, so tests never share state. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
}
