/**
 * The booking worker's workflow code, bundled once. An image pre-builds it at build
 * time (`node dist/workers/workflow-bundle.js` writes dist/workflow-bundle.js), so a
 * worker started by a scale-out loads it instead of bundling (seconds of CPU); without
 * one (development, tests) the worker bundles at start. WORKFLOW_BUNDLE names another
 * pre-built file (the bench builds one per run, as the image does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/** Beside the compiled `workflows/` folder: dist/workflow-bundle.js in an image. */
export const PREBUILT_BUNDLE = path.join(__dirname, '..', 'workflow-bundle.js');

// The bundle entry resolves to index.ts under tsx and to index.js once compiled.
const bundle = () => bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });

export async function loadWorkflowBundle(): Promise<{ codePath: string } | { code: string }> {
  const prebuilt = process.env.WORKFLOW_BUNDLE || PREBUILT_BUNDLE;
  if (fs.existsSync(prebuilt)) return { codePath: prebuilt };
  return bundle();
}

/** Bundles the workflows into `file`. */
export async function writeWorkflowBundle(file: string): Promise<void> {
  const { code } = await bundle();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, code);
}

if (require.main === module) {
  writeWorkflowBundle(PREBUILT_BUNDLE).then(
    () => {
      console.log(`wrote ${PREBUILT_BUNDLE}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
