/** Gateway process entrypoint. */
import { runProcess } from '../shared/process';
import { startGateway } from './server';

runProcess('gateway', (cfg, logger) => startGateway(cfg, logger), 'shutting down: no new requests; finishing those in hand');
