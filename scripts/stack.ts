/**
 * `npm run stack -- up|down|status|logs [component]|install`
 *
 * Runs the product's dependencies as real local servers. Ports and the state directory
 * come from the same environment variables as the product's configuration. `--test`
 * (or `--profile=bench|chaos`) works on an isolated stack instead of the development one.
 */
import { loadConfig } from '../src/config';
import { applyProfile, PROFILES, type ProfileName } from './stack/profiles';
import { down, formatStatus, install, logs, StackError, status, up } from './stack/stack';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const profile = args.includes('--test') ? 'test' : args.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
  if (profile !== undefined) {
    if (!(profile in PROFILES)) {
      console.error(`unknown profile ${profile}; use one of ${Object.keys(PROFILES).join(', ')}`);
      return 2;
    }
    applyProfile(profile as ProfileName);
  }
  const cfg = loadConfig();
  const [command = 'status', arg] = args.filter((a) => !a.startsWith('--'));
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
