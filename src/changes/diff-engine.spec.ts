import { ChangeClassifier, DEFAULT_CHANGE_RULES, loadChangeRules, parseChangeRules } from './change-rules.js';
import { canonicalJson, diffDocuments } from './diff-engine.js';

const classifier = new ChangeClassifier();

describe('diffDocuments', () => {
  it('reports nothing for equal documents, whatever the key or set order', () => {
    const a = {
      b: 1,
      a: { x: [3, 1, 2] },
      mounts: [
        { mount: '/', size: 1 },
        { mount: '/boot', size: 2 },
      ],
    };
    const b = {
      mounts: [
        { mount: '/boot', size: 2 },
        { mount: '/', size: 1 },
      ],
      a: { x: [1, 2, 3] },
      b: 1,
    };
    expect(diffDocuments(a, b, classifier).changes).toEqual([]);
  });

  it('keys arrays of objects by identity and reports a subtree that appears or goes as one change', () => {
    const before = { mounts: [{ mount: '/', size_total: 10 }], packages: { bash: { version: '5.1' } } };
    const after = {
      mounts: [
        { mount: '/', size_total: 20 },
        { mount: '/data', size_total: 5 },
      ],
      packages: { nginx: { version: '1.22' } },
    };
    const { changes } = diffDocuments(before, after, classifier);
    expect(changes.map((c) => [c.fieldPath, c.changeType])).toEqual([
      ['mounts./.size_total', 'modified'],
      ['mounts./data', 'added'],
      ['packages.bash', 'removed'],
      ['packages.nginx', 'added'],
    ]);
    expect(changes[3].currentValue).toEqual({ version: '1.22' });
  });

  it('caps depth (deeper values compared whole) and count (the rest counted as truncated)', () => {
    const deep = (v: number) => ({ a: { b: { c: { d: v } } } });
    expect(diffDocuments(deep(1), deep(2), classifier, { maxDepth: 2 }).changes[0].fieldPath).toBe('a.b');
    const many = (v: number) => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, v]));
    const result = diffDocuments(many(1), many(2), classifier, { maxChanges: 3 });
    expect(result.changes).toHaveLength(3);
    expect(result.truncated).toBe(7);
  });

  it('canonical JSON sorts keys and scalar sets, keeps object array order', () => {
    expect(canonicalJson({ b: [2, 1], a: [{ y: 1, x: 2 }] })).toBe('{"a":[{"x":2,"y":1}],"b":[1,2]}');
  });

  it('canonical JSON serializes each item of a scalar set once, not on every comparison (issue #11 item 3)', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000);
    const expected = JSON.stringify({ values: [...values].sort((a, b) => (`${a}` < `${b}` ? -1 : 1)) });
    const original = JSON.stringify;
    let calls = 0;
    JSON.stringify = ((...args: Parameters<typeof JSON.stringify>) => {
      calls++;
      return original(...args);
    }) as typeof JSON.stringify;
    let text: string;
    try {
      text = canonicalJson({ values });
    } finally {
      JSON.stringify = original;
    }
    expect(text).toBe(expected);
    // One call for the document plus one per item; a comparator that serialized both
    // sides on every comparison would make about 2·n·log2(n) ≈ 120,000 calls.
    expect(calls).toBeLessThanOrEqual(values.length + 1);
  });
});

describe('change rules', () => {
  it('classifies with the first matching rule (deterministic)', () => {
    const c = (path: string, type: 'added' | 'removed' | 'modified' = 'modified') =>
      classifier.classify(path, type);
    expect(c('product_uuid')).toEqual({ category: 'identity', severity: 'critical' });
    expect(c('distribution')).toEqual({ category: 'os', severity: 'high' });
    expect(c('distribution_version')).toEqual({ category: 'os', severity: 'medium' });
    expect(c('packages.openssl.version')).toEqual({ category: 'security', severity: 'medium' });
    expect(c('packages.nginx', 'added')).toEqual({ category: 'software', severity: 'low' });
    expect(c('packages.nginx.version')).toEqual({ category: 'software', severity: 'info' });
    expect(c('interfaces.eth0', 'removed')).toEqual({ category: 'network', severity: 'medium' });
    expect(c('interfaces.eth0.mtu')).toEqual({ category: 'network', severity: 'low' });
    expect(c('devices.sdb', 'added')).toEqual({ category: 'storage', severity: 'high' });
    expect(c('memtotal_mb')).toEqual({ category: 'hardware', severity: 'high' });
    expect(c('selinux.status')).toEqual({ category: 'security', severity: 'high' });
    expect(c('local_facts.app.version')).toEqual({ category: 'configuration', severity: 'low' });
    expect(c('something_else')).toEqual({ category: 'configuration', severity: 'info' });
  });

  it('puts rules from a file before the built-in ones and rejects bad rules', () => {
    const custom = new ChangeClassifier([
      ...parseChangeRules({ rules: [{ match: 'packages.nginx*', category: 'software', severity: 'high' }] }),
      ...DEFAULT_CHANGE_RULES,
    ]);
    expect(custom.classify('packages.nginx', 'added')).toEqual({ category: 'software', severity: 'high' });
    expect(() => parseChangeRules([{ match: 'x', category: 'nope', severity: 'low' }])).toThrow(/category/);
    expect(() =>
      parseChangeRules([{ match: 'x', category: 'os', severity: 'low', change_types: ['x'] }]),
    ).toThrow(/change_types/);
    expect(() => parseChangeRules('nope')).toThrow(/list of rules/);
    expect(loadChangeRules(null)).toHaveLength(DEFAULT_CHANGE_RULES.length);
  });
});

describe('the README', () => {
  it('lists the built-in change rules as they are, in order', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(
      readme.indexOf('<!-- change-rules:begin -->'),
      readme.indexOf('<!-- change-rules:end -->'),
    );
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual(
      DEFAULT_CHANGE_RULES.map((r) => [
        `\`${r.match}\``,
        (r.change_types ? r.change_types.join(', ') : 'any') + (r.to ? `, to ${r.to.join('/')}` : ''),
        r.category,
        r.severity,
      ]),
    );
  });

  it('matches a rule with `to` only for those new values', () => {
    expect(classifier.classify('system.status', 'modified', 'inactive').severity).toBe('high');
    expect(classifier.classify('system.status', 'modified', 'active').severity).toBe('info');
    expect(classifier.classify('fqdn', 'modified', 'x')).toEqual({ category: 'identity', severity: 'high' });
    expect(() => parseChangeRules([{ match: 'x', category: 'os', severity: 'low', to: 'inactive' }])).toThrow(
      /"to"/,
    );
  });
});
