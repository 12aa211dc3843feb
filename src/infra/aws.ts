/** Options shared by the AWS clients: the configured endpoint (moto locally, AWS in production). */
import type { Config } from '../config';

export function awsClientOptions(cfg: Config) {
  return {
    region: cfg.aws.region,
    endpoint: cfg.aws.endpoint,
    credentials: cfg.aws.credentials,
    maxAttempts: 5,
  };
}
