/**
 * `npm run stack -- up|down|status|logs [component]|install`
 *
 * Runs the product's dependencies as real local servers. Ports and the state directory
 * come from the same environment variables as the product's configuration.
 */
import { loadConfig } from '../src/config';
import { applyTestEnv } from '../test/support/env';
import { down, formatStatus, install, logs, StackError, status, up } from './stack/stack';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // `--test`: the isolated test stack that `npm test` and jest use.
  if (args.includes('--test')) applyTestEnv();
  const cfg = loadConfig();
  const [command = 'status', arg] = args.filter((a) => a !== '--test');
  switch (command) {
    case 'install':
      await install(cfg);
      return 0;
    case 'up':
      await up(cfg);
      console.log(formatStatus(await status(cfg)));
      return 0;
    case 'down':
      await down(cfg);
      return 0;
    case 'status': {
      const rows = await status(cfg);
      console.log(formatStatus(rows));
      return rows.every((r) => r.healthy) ? 0 : 1;
    }
    case 'logs':
      console.log(logs(cfg, arg));
      return 0;
    default:
      console.error(`unknown command ${command}; use up, down, status, logs [component] or install`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof StackError ? `[stack] ${err.message}` : err);
    process.exit(1);
  },
);
