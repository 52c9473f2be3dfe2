import { InvalidQueryError } from '../errors.js';
import { parseListQuery, parseTimestamp } from './list-query.js';
import { defineListSpec, filter } from './list-spec.js';

const SPEC = defineListSpec({
  filters: {
    state: filter.enumOf(['running', 'stopped'], 't.state', 'State'),
    name: filter.string('t.name', 'Name'),
    seen_after: filter.after('t.seen_at', 'Seen after'),
    cpu_count: filter.int('t.cpu_count', 'CPUs'),
  },
  search: { fields: ['t.name', 't.fqdn'], description: 'Name or FQDN' },
  ordering: { name: 't.name', seen_at: 't.seen_at' },
  defaultOrdering: ['name'],
  tieBreaker: 't.id',
});

const parse = (query: Record<string, string | string[]>) =>
  parseListQuery(SPEC, query, { base: 'http://x/api/things/', query });

describe('parseListQuery', () => {
  it('builds parameterised conditions, never interpolating values', () => {
    const q = parse({
      state: ['running', 'stopped'],
      name__ic: "o'brien",
      cpu_count__gte: '4',
      search: '50%',
    });
    expect(q.where).toEqual([
      't.state = ANY($1)',
      '(t.name ILIKE $2)',
      't.cpu_count >= $3',
      '(t.name ILIKE $4 OR t.fqdn ILIKE $4)',
    ]);
    expect(q.params.values).toEqual([['running', 'stopped'], "%o'brien%", 4, '%50\\%%']);
  });

  it('orders with a tie-breaker that follows the last direction', () => {
    expect(parse({}).orderBy).toBe('t.name ASC, t.id ASC');
    expect(parse({ ordering: 'name,-seen_at' }).orderBy).toBe('t.name ASC, t.seen_at DESC, t.id DESC');
  });

  it('pages with defaults, caps page_size at 1000 and rejects nonsense', () => {
    expect(parse({})).toMatchObject({ page: 1, pageSize: 25 });
    expect(parse({ page: '3', page_size: '5000' })).toMatchObject({ page: 3, pageSize: 1000 });
    const bads: Record<string, string | string[]>[] = [
      { page: '0' },
      { page_size: 'x' },
      { page: ['1', '2'] },
    ];
    for (const bad of bads) {
      expect(() => parse(bad)).toThrow(InvalidQueryError);
    }
  });

  it('names the parameter in every error', () => {
    const cases: [Record<string, string>, string][] = [
      [{ state: 'flying' }, 'state'],
      [{ cpu_count: 'four' }, 'cpu_count'],
      [{ seen_after: 'last tuesday' }, 'seen_after'],
      [{ ordering: 'colour' }, 'ordering'],
      [{ colour: 'red' }, 'colour'],
      [{ state: '' }, 'state'],
    ];
    for (const [query, param] of cases) {
      try {
        parse(query);
        throw new Error(`accepted ${JSON.stringify(query)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidQueryError);
        expect(Object.keys((error as InvalidQueryError).errors)).toEqual([param]);
      }
    }
  });
});

describe('parseTimestamp', () => {
  it('accepts ISO 8601 dates and date-times, with or without zone', () => {
    expect(parseTimestamp('2025-01-15')?.toISOString()).toBe('2025-01-15T00:00:00.000Z');
    expect(parseTimestamp('2025-01-15T08:30:00Z')?.toISOString()).toBe('2025-01-15T08:30:00.000Z');
    expect(parseTimestamp('2025-01-15T08:30:00.123456Z')?.toISOString()).toBe('2025-01-15T08:30:00.123Z');
    expect(parseTimestamp('2025-01-15T10:30:00+02:00')?.toISOString()).toBe('2025-01-15T08:30:00.000Z');
    expect(parseTimestamp('2025-01-15T10:30:00+0200')?.toISOString()).toBe('2025-01-15T08:30:00.000Z');
    expect(parseTimestamp('2025-01-15T03:30:00-05')?.toISOString()).toBe('2025-01-15T08:30:00.000Z');
    // '+' decoded to a space by a client that did not URL-encode it
    expect(parseTimestamp('2025-01-15T10:30:00 02:00')?.toISOString()).toBe('2025-01-15T08:30:00.000Z');
    expect(parseTimestamp('2025-01-15 08:30')?.toISOString()).toBe('2025-01-15T08:30:00.000Z');
  });

  it('rejects impossible or sloppy values', () => {
    for (const bad of [
      '2025-02-30',
      '2025-13-01',
      '2025-01-15T25:00:00Z',
      'yesterday',
      '15/01/2025',
      '2025-1-5',
      '',
    ]) {
      expect(parseTimestamp(bad)).toBeNull();
    }
  });
});
