/** CloudWatch: the client, on the configured endpoint. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Config } from '../config';
import { awsClientOptions } from './aws';

export function createCloudWatchClient(cfg: Config): CloudWatchClient {
  return new CloudWatchClient(awsClientOptions(cfg));
}
