// jest setupFiles: every test process talks to the isolated test stack.
import { applyTestEnv } from './env';

applyTestEnv();
