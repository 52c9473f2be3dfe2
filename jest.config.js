// Jest runs the TypeScript sources as native ES modules (NestJS 12 is ESM-only),
// so NODE_OPTIONS=--experimental-vm-modules is set by `npm test`.
// A few CommonJS dependencies require() ESM-only packages (content-disposition via
// @fastify/static, cookie via light-my-request); Jest's CommonJS loader cannot do
// that on Node 20, so those packages are transpiled too (and json-schema-ref-parser,
// which @apidevtools/swagger-parser requires).
const esmOnlyDeps = [
  'content-disposition',
  'cookie',
  'file-type',
  'token-types',
  'strtok3',
  '@tokenizer',
  '@apidevtools/json-schema-ref-parser',
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
    '^.+\\.js$': [
      'ts-jest',
      { useESM: true, tsconfig: { allowJs: true, module: 'nodenext' }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyDeps.join('|')})/)`],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  resolver: '<rootDir>/test/support/jest-resolver.cjs',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
