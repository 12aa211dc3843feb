/** SQS and CloudWatch: moto's server, through our launcher (launchers/moto_launcher.py). */
import path from 'node:path';
import { type Config, portOf } from '../../../src/config';
import { httpOk } from '../proc';
import { type Component, launcher, pipInstall, pipInstalled, toolDir } from './install';

export const MOTO_VERSION = '5.2.5';
/** moto's server, and the HTTP server our launcher serves it with (keep-alive; see the launcher). */
const REQUIREMENTS = [`moto[server]==${MOTO_VERSION}`, 'waitress==3.0.2'];

const dir = (cfg: Config): string => toolDir(cfg, 'moto', MOTO_VERSION);

export const moto: Component = {
  name: 'moto',
  version: MOTO_VERSION,
  startTimeoutMs: 60_000,
  ports: (cfg) => [portOf(cfg.aws.endpoint)],
  installed: (cfg) => pipInstalled(dir(cfg), REQUIREMENTS),
  install: (cfg) => pipInstall(dir(cfg), REQUIREMENTS),
  async command(cfg) {
    return {
      cmd: path.join(dir(cfg), 'bin', 'python3'),
      args: [launcher('moto_launcher.py'), '-H', '127.0.0.1', '-p', String(portOf(cfg.aws.endpoint))],
    };
  },
  healthy: (cfg) => httpOk(`${cfg.aws.endpoint}/moto-api/`),
};
