/** Options shared by the AWS clients: the configured endpoint (moto locally, AWS in production). */
import type { Config } from '../config';

// The SDK warns that versions after January 2027 will need Node 22; these are pinned.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function awsClientOptions(cfg: Config) {
  return {
    region: cfg.aws.region,
    endpoint: cfg.aws.endpoint,
    credentials: cfg.aws.credentials,
    maxAttempts: 5,
  };
}
