import { loadConfig } from '../../src/config';
import { isInternalAddress, signature, urlProblem, verifySignature, wants } from '../../src/domain/webhooks';
import { checkWebhookUrl, createSecretBox } from '../../src/infra/webhooks';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

const production = { production: true, allowedHosts: ['pos.partner.internal', '10.1.2.3'] };
const development = { production: false, allowedHosts: [] };

describe('the signature', () => {
  const at = new Date('2026-12-02T10:00:00Z');
  const body = '{"id":"e1","type":"reserva.confirmada"}';

  test('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">, as a receiver computes it with any HMAC library', () => {
    const t = at.getTime() / 1000;
    const expected = crypto.createHmac('sha256', 'whsec_x').update(`${t}.${body}`).digest('hex');
    expect(signature('whsec_x', body, at)).toBe(`t=${t},v1=${expected}`);
  });

  test('verifies with the right secret and body, within the tolerance; not with another secret, a changed body, or too late', () => {
    const header = signature('whsec_x', body, at);
    expect(verifySignature('whsec_x', body, header, at)).toBe(true);
    expect(verifySignature('whsec_y', body, header, at)).toBe(false);
    expect(verifySignature('whsec_x', `${body} `, header, at)).toBe(false);
    expect(verifySignature('whsec_x', body, header, new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifySignature('whsec_x', body, 'v1=abc', at)).toBe(false);
  });
});

test('a webhook wants the events it names, or every event with "*"', () => {
  expect(wants(['reserva.confirmada'], 'reserva.confirmada')).toBe(true);
  expect(wants(['reserva.confirmada'], 'reserva.cancelada')).toBe(false);
  expect(wants(['*'], 'listaespera.ofrecida')).toBe(true);
});

describe('URLs', () => {
  test.each([
    ['not a url', 'must be an absolute URL'],
    ['ftp://files.example.com/x', 'must be an http(s) URL'],
    ['https://user:pw@pos.example.com/x', 'must not carry credentials'],
    ['https://pos.example.com/x#frag', 'must not have a #fragment'],
  ])('%s is refused everywhere: %s', (url, why) => {
    expect(urlProblem(url, development)).toContain(why);
    expect(urlProblem(url, production)).toContain(why);
  });

  test('production wants https; development and test allow http, to loopback too', () => {
    expect(urlProblem('http://pos.example.com/x', production)).toBe('must be https');
    expect(urlProblem('http://127.0.0.1:8080/x', development)).toBeUndefined();
  });

  test.each(['127.0.0.1', '10.0.0.5', '172.16.3.4', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '0.0.0.0', '100.64.0.1'])(
    '%s is internal',
    (address) => expect(isInternalAddress(address)).toBe(true),
  );
  test.each(['93.184.216.34', '2606:4700::1111'])('%s is public', (address) => expect(isInternalAddress(address)).toBe(false));

  test('in production a name or literal that resolves inside the network is refused, unless WEBHOOK_ALLOWED_HOSTS lists it', async () => {
    await expect(checkWebhookUrl('https://localhost/x', production)).resolves.toMatch(/resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address/);
    await expect(checkWebhookUrl('https://169.254.169.254/latest', production)).resolves.toMatch(/link-local/);
    await expect(checkWebhookUrl('https://[::1]/x', production)).resolves.toMatch(/resolves to ::1/);
    await expect(checkWebhookUrl('https://10.1.2.3/x', production)).resolves.toBeUndefined();
    await expect(checkWebhookUrl('https://93.184.216.34/x', production)).resolves.toBeUndefined();
    await expect(checkWebhookUrl('https://no-such-host.invalid/x', production)).resolves.toMatch(/does not resolve/);
    await expect(checkWebhookUrl('http://localhost:9/x', development)).resolves.toBeUndefined();
  });
});

describe('the secrets at rest', () => {
  const cfg = (env: Record<string, string>) => loadConfig({ INSTUDIO_STATE_DIR: path.join(os.tmpdir(), `instudio-webhook-key-${process.pid}`), ...env });

  test('are sealed (AES-256-GCM, a fresh IV each time) and open again under the same key only', () => {
    const box = createSecretBox(cfg({ WEBHOOK_SECRET_KEY: 'k'.repeat(40) }));
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(box.seal('whsec_abc')).not.toBe(sealed);
    expect(box.open(sealed)).toBe('whsec_abc');
    expect(() => createSecretBox(cfg({ WEBHOOK_SECRET_KEY: 'j'.repeat(40) })).open(sealed)).toThrow();
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(() => box.open(tampered)).toThrow();
  });

  test('production refuses to start without WEBHOOK_SECRET_KEY; development keeps one key for the stack in its state directory', () => {
    expect(() => createSecretBox(cfg({ NODE_ENV: 'production' }))).toThrow(/WEBHOOK_SECRET_KEY is not set/);
    const sealed = createSecretBox(cfg({})).seal('whsec_dev');
    expect(createSecretBox(cfg({})).open(sealed)).toBe('whsec_dev');
  });
});
