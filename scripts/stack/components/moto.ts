/** SQS and CloudWatch: moto's server, through our launcher (launchers/moto_launcher.py). */
import path from 'node:path';
import { type Config, portOf } from '../../../src/config';
import { httpOk } from '../proc';
import { type Component, exists, launcher, marker, pipInstall, toolDir } from './install';

export const MOTO_VERSION = '5.2.5';

const dir = (cfg: Config): string => toolDir(cfg, 'moto', MOTO_VERSION);

export const moto: Component = {
  name: 'moto',
  version: MOTO_VERSION,
  startTimeoutMs: 60_000,
  ports: (cfg) => [portOf(cfg.aws.endpoint)],
  installed: (cfg) => exists(marker(dir(cfg))),
  install: (cfg) => pipInstall(dir(cfg), [`moto[server]==${MOTO_VERSION}`]),
  async command(cfg) {
    return {
      cmd: path.join(dir(cfg), 'bin', 'python3'),
      args: [launcher('moto_launcher.py'), '-H', '127.0.0.1', '-p', String(portOf(cfg.aws.endpoint))],
    };
  },
  healthy: (cfg) => httpOk(`${cfg.aws.endpoint}/moto-api/`),
};
