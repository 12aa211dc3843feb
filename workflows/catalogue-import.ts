/** Bulk catalogue import, run on the low-priority task queue. */
import { proxyActivities } from '@temporalio/workflow';
import type { CatalogueActivities, CatalogueImport } from '../activities/catalogue';

const backOffice = proxyActivities<CatalogueActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export async function catalogueImport(command: CatalogueImport): Promise<{ salons: number; services: number }> {
  return backOffice.importCatalogue(command);
}
