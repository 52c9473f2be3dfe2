import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      host: '0.0.0.0',
      databaseUrl: null,
      role: 'all',
      logLevel: 'info',
      migrationsRun: true,
      secretKey: null,
    });
    expect(config.dataDir.endsWith('.data')).toBe(true);
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u:p@db:5432/inv',
      INVENTORY_DATA_DIR: '/var/lib/inventory',
      INVENTORY_ROLE: 'worker',
      LOG_LEVEL: 'debug',
      MIGRATIONS_RUN: 'false',
      INVENTORY_SECRET_KEY: 'ab'.repeat(32),
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u:p@db:5432/inv',
      dataDir: '/var/lib/inventory',
      role: 'worker',
      logLevel: 'debug',
      migrationsRun: false,
    });
    expect(config.secretKey?.length).toBe(32);
  });

  it('lists every bad value at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        INVENTORY_ROLE: 'boss',
        MIGRATIONS_RUN: 'maybe',
        DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('INVENTORY_ROLE');
    expect(problems).toContain('MIGRATIONS_RUN');
    expect(problems).toContain('DATABASE_URL');
  });

  it('accepts GATEWAY_JWT_PUBLIC_KEY_URL over https only, unless http is allowed explicitly', () => {
    const url = 'https://gateway.example.com/api/gateway/v1/jwt_key/';
    expect(loadConfig({ GATEWAY_JWT_PUBLIC_KEY_URL: url }).gateway.publicKeyUrl).toBe(url);
    expect(() => loadConfig({ GATEWAY_JWT_PUBLIC_KEY_URL: 'http://gateway.example.com/jwt_key/' })).toThrow(
      /GATEWAY_JWT_PUBLIC_KEY_URL must be https:\/\/.*GATEWAY_JWT_PUBLIC_KEY_URL_ALLOW_HTTP=true/,
    );
    expect(() => loadConfig({ GATEWAY_JWT_PUBLIC_KEY_URL: 'ftp://gateway.example.com/key' })).toThrow(
      /GATEWAY_JWT_PUBLIC_KEY_URL/,
    );
    expect(
      loadConfig({
        GATEWAY_JWT_PUBLIC_KEY_URL: 'http://127.0.0.1:8080/jwt_key/',
        GATEWAY_JWT_PUBLIC_KEY_URL_ALLOW_HTTP: 'true',
      }).gateway.publicKeyUrl,
    ).toBe('http://127.0.0.1:8080/jwt_key/');
    expect(() =>
      loadConfig({
        GATEWAY_JWT_PUBLIC_KEY_URL: 'http://127.0.0.1:8080/jwt_key/',
        GATEWAY_JWT_PUBLIC_KEY_URL_ALLOW_HTTP: 'yes please',
      }),
    ).toThrow(/GATEWAY_JWT_PUBLIC_KEY_URL_ALLOW_HTTP/);
  });

  it('rejects a secret key of the wrong length', () => {
    expect(() => loadConfig({ INVENTORY_SECRET_KEY: 'abcd' })).toThrow(/INVENTORY_SECRET_KEY/);
  });

  it('reads the push and retention settings, naming every bad value', () => {
    const config = loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, ::1', FACTS_RATE_LIMIT_MINUTES: '5' });
    expect(config.facts).toMatchObject({
      anonymousOrganization: null,
      rateLimitMinutes: 5,
      maxBodyBytes: 16 * 1024 * 1024,
      maxFieldBytes: 4 * 1024 * 1024,
      trustedProxies: ['10.0.0.0/8', '::1'],
      heartbeatTimeoutMinutes: 20,
    });
    expect(config.retention).toEqual({
      retentionDays: 400,
      historyMaxEntries: 0,
      retentionCheckIntervalHours: 24,
      historyCheckIntervalHours: 24,
      eventsRetentionDays: 30,
    });
    let error: ConfigError | undefined;
    try {
      loadConfig({
        TRUSTED_PROXIES: '10.0.0.0/33,nope',
        FACTS_MAX_BODY_MB: 'big',
        RETENTION_DAYS: '0',
        HEARTBEAT_TIMEOUT_MINUTES: '-1',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    for (const name of [
      'TRUSTED_PROXIES',
      'FACTS_MAX_BODY_MB',
      'RETENTION_DAYS',
      'HEARTBEAT_TIMEOUT_MINUTES',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('reads the failed-authentication throttle and the scrypt cost, naming every bad value', () => {
    expect(loadConfig({}).authThrottle).toEqual({
      maxFailures: 10,
      addressMaxFailures: 100,
      windowSeconds: 900,
      lockoutSeconds: 900,
      ipv6Prefix: 64,
    });
    expect(loadConfig({}).passwordScryptCost).toBe(17);
    const config = loadConfig({
      AUTH_THROTTLE_MAX_FAILURES: '5',
      AUTH_THROTTLE_ADDRESS_MAX_FAILURES: '0',
      AUTH_THROTTLE_WINDOW_SECONDS: '60',
      AUTH_THROTTLE_LOCKOUT_SECONDS: '3600',
      AUTH_THROTTLE_IPV6_PREFIX: '56',
      PASSWORD_SCRYPT_COST: '18',
    });
    expect(config.authThrottle).toEqual({
      maxFailures: 5,
      addressMaxFailures: 0,
      windowSeconds: 60,
      lockoutSeconds: 3600,
      ipv6Prefix: 56,
    });
    expect(config.passwordScryptCost).toBe(18);
    let error: unknown;
    try {
      loadConfig({
        AUTH_THROTTLE_MAX_FAILURES: '-1',
        AUTH_THROTTLE_ADDRESS_MAX_FAILURES: 'many',
        AUTH_THROTTLE_WINDOW_SECONDS: '0',
        AUTH_THROTTLE_LOCKOUT_SECONDS: '1.5',
        AUTH_THROTTLE_IPV6_PREFIX: '129',
        PASSWORD_SCRYPT_COST: '9',
      });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'AUTH_THROTTLE_MAX_FAILURES',
      'AUTH_THROTTLE_ADDRESS_MAX_FAILURES',
      'AUTH_THROTTLE_WINDOW_SECONDS',
      'AUTH_THROTTLE_LOCKOUT_SECONDS',
      'AUTH_THROTTLE_IPV6_PREFIX',
      'PASSWORD_SCRYPT_COST',
    ])
      expect(problems).toContain(name);
  });

  it('reads JSON_MAX_DEPTH (default 64, 1 to 256)', () => {
    expect(loadConfig({}).jsonMaxDepth).toBe(64);
    expect(loadConfig({ JSON_MAX_DEPTH: '20' }).jsonMaxDepth).toBe(20);
    expect(() => loadConfig({ JSON_MAX_DEPTH: '0' })).toThrow(/JSON_MAX_DEPTH/);
    expect(() => loadConfig({ JSON_MAX_DEPTH: '257' })).toThrow(/JSON_MAX_DEPTH/);
  });
});
