/**
 * The servers of the local stack, one module each. Each installs itself on first use
 * into the tools directory (one folder per version, outside git), runs as a real
 * process on 127.0.0.1, and says when it is healthy.
 */
import { ferretdb } from './ferretdb';
import type { Component, Tool } from './install';
import { kafka } from './kafka';
import { localstripe } from './localstripe';
import { mailpit } from './mailpit';
import { moto } from './moto';
import { temporal } from './temporal';
import { chromium, schemathesis, temporalTestServer } from './test-tools';

export type { Component, Tool } from './install';
export { chromium, schemathesis, temporalTestServer } from './test-tools';
export { temporalBin } from './temporal';

export const COMPONENTS: readonly Component[] = [temporal, kafka, moto, ferretdb, localstripe, mailpit];

/** Everything installed on first use: the servers and the test tools (Chromium among them). */
export const TOOLS: readonly Tool[] = [...COMPONENTS, schemathesis, temporalTestServer, chromium];
