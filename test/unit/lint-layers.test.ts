import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { parser } from 'typescript-eslint';
import { repoRoot } from '../../src/config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const layerRules = require('../../eslint.layer-rules.cjs') as Linter.Config[];

/** Lints a snippet as if it were the file at `file`, with the project's layer rules only. */
async function lintAs(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: true, overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser } }, ...layerRules] });
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result!.messages.map((m) => m.message);
}

test.each([
  ['src/domain/probe.ts', "import { openModels } from '../infra/models';", 'src/domain is pure'],
  ['src/domain/probe.ts', "import mongoose from 'mongoose';", 'no I/O libraries'],
  ['src/domain/probe.ts', "import { principal } from '../gateway/middleware/auth';", 'src/domain is pure'],
  ['src/infra/probe.ts', "import { createApp } from '../gateway/app';", 'does not depend on the gateway'],
  ['activities/probe.ts', 'export const f = (models: any) => models.Booking.findById("x");', 'booking repository'],
  ['src/gateway/routes/probe.ts', 'export const f = (deps: any) => deps.models.Booking.updateOne({}, {});', 'booking repository'],
])('%s may not: %s', async (file, code, message) => {
  expect((await lintAs(file, code)).join('\n')).toContain(message);
});

test('the booking repository itself, and the domain importing only the domain, pass', async () => {
  expect(await lintAs('src/infra/bookings.ts', 'export const f = (models: any) => models.Booking.findById("x");')).toEqual([]);
  expect(await lintAs('src/domain/probe.ts', "import { GRANULE_MIN } from './availability';")).toEqual([]);
});
