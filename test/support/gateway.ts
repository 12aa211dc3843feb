/** Starts the real gateway on port 0 against the test stack, and speaks HTTP to it. */
import pino, { type Logger } from 'pino';
import { loadConfig } from '../../src/config';
import { type Gateway, startGateway } from '../../src/gateway/server';
import { unique } from './ids';

export const OPERATOR = { email: 'operator@instudio.test', password: 'operator-password-1' };

export async function startTestGateway(env: Record<string, string> = {}, logger?: Logger): Promise<Gateway> {
  const cfg = loadConfig({
    ...process.env,
    INSTUDIO_OPERATOR_EMAIL: OPERATOR.email,
    INSTUDIO_OPERATOR_PASSWORD: OPERATOR.password,
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    ...env,
  });
  return startGateway(cfg, logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { port: 0 });
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, body, headers: { ...headers, ...opts.headers } });
    const text = await res.text();
    let parsed: unknown = text;
    if (/json/.test(res.headers.get('content-type') ?? '') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, { headers });
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { body, headers });
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, { body, headers });
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, { headers });
  }
}

/** Registers a new client and returns a client speaking with its token. */
export async function newClient(api: ApiClient, opts: { locale?: 'es' | 'en'; name?: string } = {}): Promise<{ api: ApiClient; id: string; email: string }> {
  const email = `${unique('client')}@instudio.test`;
  const res = await api.as(undefined).post('/v1/auth/register', { email, password: 'client-password', name: opts.name ?? 'Test Client', ...(opts.locale ? { locale: opts.locale } : {}) });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { api: api.as(res.body.token), id: res.body.user.id, email };
}

export async function login(api: ApiClient, email: string, password: string): Promise<ApiClient> {
  const res = await api.as(undefined).post('/v1/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return api.as(res.body.token);
}

export const operatorOf = (api: ApiClient) => login(api, OPERATOR.email, OPERATOR.password);

/** A salon with one service and one staff member working Monday–Sunday 09:00–18:00. */
export async function newSalon(operator: ApiClient, opts: { timezone?: string; durationMin?: number; bufferMin?: number; priceCents?: number } = {}) {
  const salon = await operator.post('/v1/salons', { name: unique('Salon'), city: 'Madrid', timezone: opts.timezone ?? 'Europe/Madrid' });
  if (salon.status !== 201) throw new Error(`salon: ${salon.status} ${JSON.stringify(salon.body)}`);
  const salonId: string = salon.body.id;
  const service = await operator.post(`/v1/salons/${salonId}/services`, {
    name: 'Corte',
    durationMin: opts.durationMin ?? 30,
    bufferMin: opts.bufferMin ?? 0,
    priceCents: opts.priceCents ?? 2500,
    currency: 'EUR',
  });
  if (service.status !== 201) throw new Error(`service: ${service.status} ${JSON.stringify(service.body)}`);
  const staff = await operator.post(`/v1/salons/${salonId}/staff`, {
    name: 'Ana',
    serviceIds: [service.body.id],
    workingHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })),
  });
  if (staff.status !== 201) throw new Error(`staff: ${staff.status} ${JSON.stringify(staff.body)}`);
  return { salonId, serviceId: service.body.id as string, staffId: staff.body.id as string };
}

/** A client made admin of a salon, logged in again so its token carries the salon. */
export async function newSalonAdmin(operator: ApiClient, salonId: string): Promise<ApiClient> {
  const client = await newClient(operator);
  const res = await operator.post(`/v1/salons/${salonId}/admins`, { email: client.email });
  if (res.status !== 200) throw new Error(`admin: ${res.status} ${JSON.stringify(res.body)}`);
  return login(operator, client.email, 'client-password');
}
