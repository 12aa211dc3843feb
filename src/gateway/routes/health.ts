/**
 * Liveness and readiness. Readiness checks each dependency with a short deadline; why a
 * dependency is down (its error text names hosts and ports) is shown to operators only.
 */
import type { Express } from 'express';

export type ReadinessCheck = () => Promise<void>;

export function healthRoutes(app: Express, checks: Record<string, ReadinessCheck>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2 s')), 2000).unref()),
          ]);
          return [name, { status: 'up' }] as const;
        } catch (err) {
          return [name, { status: 'down', detail: err instanceof Error ? err.message : String(err) }] as const;
        }
      }),
    );
    const ready = results.every(([, r]) => r.status === 'up');
    const detailed = req.auth?.role === 'operator';
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      checks: Object.fromEntries(results.map(([name, r]) => [name, detailed ? r : { status: r.status }])),
    });
  });
}
