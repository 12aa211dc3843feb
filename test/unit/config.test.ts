import { ConfigError, loadConfig, portOf } from '../../src/config';

describe('loadConfig', () => {
  test('when nothing is set, then every address points at the local stack', () => {
    const cfg = loadConfig({});
    expect(cfg.port).toBe(3000);
    expect(cfg.temporal.address).toBe('127.0.0.1:7233');
    expect(cfg.temporal.uiPort).toBe(8233);
    expect(cfg.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(cfg.aws.endpoint).toBe('http://127.0.0.1:4566');
    expect(cfg.mongo.uri).toBe('mongodb://127.0.0.1:27017/instudio');
    expect(cfg.stripe.apiUrl).toBe('http://127.0.0.1:8420');
    expect(cfg.operator).toBeUndefined();
  });

  test('when variables are set, then they win and lists are split', () => {
    const cfg = loadConfig({ PORT: '8080', KAFKA_BROKERS: 'a:1, b:2', TEMPORAL_ADDRESS: 'temporal:7233', LOG_LEVEL: '' });
    expect(cfg.port).toBe(8080);
    expect(cfg.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(cfg.temporal.address).toBe('temporal:7233');
    expect(cfg.logLevel).toBe('info');
  });

  test('when the operator email and password are both set, then an operator account is configured', () => {
    const cfg = loadConfig({ INSTUDIO_OPERATOR_EMAIL: 'ops@example.com', INSTUDIO_OPERATOR_PASSWORD: 'long-enough' });
    expect(cfg.operator).toEqual({ email: 'ops@example.com', password: 'long-enough' });
  });

  test('when values are bad, then the error names every bad variable and what it expects', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', TEMPORAL_ADDRESS: 'no-port', NODE_ENV: 'staging', JWT_SECRET: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PORT: .*"eighty"/);
    expect(message).toMatch(/TEMPORAL_ADDRESS: expected host:port/);
    expect(message).toMatch(/NODE_ENV/);
    expect(message).toMatch(/JWT_SECRET: use at least 32 characters/);
  });
});

describe('portOf', () => {
  test.each([
    ['127.0.0.1:7233', 7233],
    ['http://127.0.0.1:4566', 4566],
    ['mongodb://127.0.0.1:27017/instudio', 27017],
  ])('%s → %d', (address, port) => expect(portOf(address)).toBe(port));

  test('an address without a port is an error', () => expect(() => portOf('http://example.com')).toThrow(ConfigError));
});

describe('TRUST_PROXY', () => {
  test.each([
    [undefined, false],
    ['off', false],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.0/8, 172.16.0.0/12', ['10.0.0.0/8', '172.16.0.0/12']],
    ['loopback,::1,fd00::/8', ['loopback', '::1', 'fd00::/8']],
  ])('%s → %j', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).gateway.trustProxy).toEqual(expected);
  });

  test.each(['true', 'everyone', '10.0.0.0/33', '300.1.1.1', '-1'])('%s is refused, saying what to use', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: use off, a hop count/);
  });
});
