/** The Stripe API: localstripe, through our launcher (launchers/localstripe_launcher.py). */
import path from 'node:path';
import { type Config, portOf } from '../../../src/config';
import { httpOk } from '../proc';
import { type Component, exists, launcher, marker, pipInstall, stateDir, toolDir } from './install';

export const LOCALSTRIPE_VERSION = '1.15.10';

const dir = (cfg: Config): string => toolDir(cfg, 'localstripe', LOCALSTRIPE_VERSION);

export const localstripe: Component = {
  name: 'localstripe',
  version: LOCALSTRIPE_VERSION,
  startTimeoutMs: 60_000,
  ports: (cfg) => [portOf(cfg.stripe.apiUrl)],
  installed: (cfg) => exists(marker(dir(cfg))),
  install: (cfg) => pipInstall(dir(cfg), [`localstripe==${LOCALSTRIPE_VERSION}`]),
  async command(cfg) {
    return {
      cmd: path.join(dir(cfg), 'bin', 'python3'),
      args: [launcher('localstripe_launcher.py'), '--port', String(portOf(cfg.stripe.apiUrl))],
      env: { LOCALSTRIPE_STORE: path.join(stateDir(cfg, 'localstripe'), 'store.pickle') },
    };
  },
  healthy: (cfg) =>
    httpOk(`${cfg.stripe.apiUrl}/v1/customers`, { headers: { Authorization: `Bearer ${cfg.stripe.secretKey}` } }),
};
