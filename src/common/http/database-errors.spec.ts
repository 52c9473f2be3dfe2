import { classifyDatabaseError } from './database-errors.js';

/** Wraps like TypeORM (driverError) or an application (cause) would. */
const queryFailed = (driverError: object) =>
  Object.assign(new Error('QueryFailedError'), { name: 'QueryFailedError', driverError });

describe('classifyDatabaseError', () => {
  it.each([
    [
      'administrator shutdown 57P01',
      queryFailed({ code: '57P01', message: 'terminating connection due to administrator command' }),
    ],
    ['starting up 57P03', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    [
      'refused, wrapped in a cause',
      new Error('push failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      }),
    ],
    [
      'refused on every address (AggregateError)',
      Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''), {}),
    ],
    ['reset', queryFailed({ code: 'ECONNRESET', message: 'read ECONNRESET' })],
    ['terminated', new Error('Connection terminated unexpectedly')],
    ['pool acquisition timeout', new Error('timeout exceeded when trying to connect')],
    [
      'released query runner',
      Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
  ])('%s is unavailable', (_name, error) => {
    expect(classifyDatabaseError(error)).toBe('unavailable');
  });

  it('classifies constraint errors through driverError and cause, and ignores others', () => {
    expect(classifyDatabaseError(queryFailed({ code: '23505' }))).toBe('unique');
    expect(classifyDatabaseError(new Error('x', { cause: queryFailed({ code: '23503' }) }))).toBe(
      'foreign_key',
    );
    expect(classifyDatabaseError(queryFailed({ code: '22021' }))).toBe('unstorable_text');
    expect(classifyDatabaseError(queryFailed({ code: '22P05' }))).toBe('unstorable_text');
    for (const code of ['40001', '40P01', '55P03'])
      expect(classifyDatabaseError(queryFailed({ code }))).toBe('conflict_retry');
    expect(classifyDatabaseError(new Error('boom'))).toBeNull();
    const cyclic: { cause?: unknown } & Error = new Error('cycle');
    cyclic.cause = cyclic;
    expect(classifyDatabaseError(cyclic)).toBeNull();
  });
});
