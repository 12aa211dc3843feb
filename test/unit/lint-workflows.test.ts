import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { parser } from 'typescript-eslint';
import { repoRoot } from '../../src/config';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const workflowRules = require('../../eslint.workflow-rules.cjs') as Linter.Config;

/** Lints a snippet as if it were a workflow file, with the project's workflow rules only. */
async function lintAsWorkflow(code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: repoRoot,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser } }, workflowRules],
  });
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, 'workflows', 'probe.ts') });
  return result!.messages.map((m) => m.message);
}

test.each([
  ["import fs from 'node:fs';", 'Node builtins'],
  ["import crypto from 'crypto';", 'Node builtins'],
  ["import mongoose from 'mongoose';", 'may not do I/O'],
  ["import { Kafka } from 'kafkajs';", 'may not do I/O'],
  ["import { SQSClient } from '@aws-sdk/client-sqs';", 'may not do I/O'],
  ["import { createStripe } from '../src/infra/stripe';", 'may import only'],
])('a workflow file may not import: %s', async (code, message) => {
  const messages = await lintAsWorkflow(code);
  expect(messages.join('\n')).toContain(message);
});

test('a workflow file may import the workflow SDK, shared names and activity types', async () => {
  const messages = await lintAsWorkflow(
    "import { proxyActivities } from '@temporalio/workflow';\n" +
      "import { TOPICS } from '../src/shared/topics';\n" +
      "import type { X } from '../activities/booking';\n",
  );
  expect(messages).toEqual([]);
});
