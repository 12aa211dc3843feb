/**
 * The gateway benchmark's baseline: a bare Express route on the same path, answering
 * the body the real gateway serves (BARE_BODY) with none of the gateway's middleware.
 */
import express from 'express';

const body: unknown = JSON.parse(process.env.BARE_BODY ?? '{"items":[]}');
const port = Number(process.env.PORT ?? 0);

const app = express();
app.get('/v1/salons/:salonId/services', (_req, res) => {
  res.json(body);
});
const server = app.listen(port, '127.0.0.1', () => console.log(`bare express listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
