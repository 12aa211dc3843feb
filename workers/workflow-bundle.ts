/**
 * The booking worker's workflow code, bundled once. An image pre-builds it at build
 * time (`node dist/workers/workflow-bundle.js` writes dist/workflow-bundle.js), so a
 * worker started by a scale-out loads it instead of bundling (seconds of CPU); without
 * one (development, tests) the worker bundles at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Beside the compiled `workflows/` folder: dist/workflow-bundle.js in an image. */
export const PREBUILT_BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');

// The bundle entry resolves to index.ts under tsx and to index.js once compiled.
const bundle = () => bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });

export async function loadWorkflowBundle(): Promise<{ codePath: string } | { code: string }> {
  if (fs.existsSync(PREBUILT_BUNDLE)) return { codePath: PREBUILT_BUNDLE };
  return bundle();
}

if (require.main === module) {
  bundle().then(
    ({ code }) => {
      fs.writeFileSync(PREBUILT_BUNDLE, code);
      console.log(`wrote ${PREBUILT_BUNDLE} (${Math.round(code.length / 1024)} KiB)`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
