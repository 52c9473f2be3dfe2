import type { EventDto } from '../events/dto/event.dto.js';
import { alertFingerprint, fieldPathMatches, matchEvent } from './alert-rule-matching.js';

const event = (type: string, extra: Partial<EventDto> = {}): EventDto => ({
  id: 1,
  occurred_at: '2026-12-01T10:00:00.000Z',
  type,
  organization: 1,
  provider: null,
  resource: null,
  system: null,
  severity: null,
  payload: {},
  ...extra,
});
const changes = (...rows: [string, string, string][]) =>
  event('resource.changed', {
    severity: 'high',
    payload: {
      changes: rows.map(([field_path, category, severity]) => ({
        field_path,
        category,
        severity,
        change_type: 'modified',
        previous: 1,
        current: 2,
      })),
    },
  });
const rule = (r: Partial<Parameters<typeof matchEvent>[0]> = {}) => ({
  eventTypes: [],
  categories: [],
  severityMin: null,
  fieldPath: null,
  ...r,
});

describe('alert rule matching', () => {
  it('matches field paths as globs, the path itself or anything beneath it', () => {
    expect(fieldPathMatches('memory_mb', 'memory_mb')).toBe(true);
    expect(fieldPathMatches('memory_mb', 'memory_mb_total')).toBe(false);
    expect(fieldPathMatches('disks', 'disks.sda.size_gb')).toBe(true);
    expect(fieldPathMatches('disks.*.size_gb', 'disks.sda.size_gb')).toBe(true);
    expect(fieldPathMatches('disks.*.size_gb', 'disks.sda.part1.size_gb')).toBe(false);
    expect(fieldPathMatches('disks.**.size_gb', 'disks.sda.part1.size_gb')).toBe(true);
    expect(fieldPathMatches('facts.memory*', 'facts.memory_free')).toBe(true);
    expect(fieldPathMatches('a(b)+', 'a(b)+')).toBe(true);
    expect(fieldPathMatches('a(b)+', 'abb')).toBe(false);
  });

  it('needs one change row meeting category, severity and path together', () => {
    const e = changes(['memory_mb', 'hardware', 'low'], ['os_name', 'os', 'critical']);
    expect(matchEvent(rule({ eventTypes: ['resource.*'] }), e)?.changes).toHaveLength(2);
    expect(matchEvent(rule({ categories: ['hardware'], severityMin: 'high' }), e)).toBeNull();
    expect(matchEvent(rule({ categories: ['os'], severityMin: 'high' }), e)?.changes).toHaveLength(1);
    expect(matchEvent(rule({ fieldPath: 'memory_mb', severityMin: 'low' }), e)?.changes[0].field_path).toBe(
      'memory_mb',
    );
    expect(matchEvent(rule({ eventTypes: ['collection_run.*'] }), e)).toBeNull();
  });

  it('applies severity to other events and never matches them on categories or paths', () => {
    const failed = event('collection_run.failed', { severity: 'high' });
    expect(matchEvent(rule({ eventTypes: ['collection_run.failed'] }), failed)).toEqual({ changes: [] });
    expect(matchEvent(rule({ severityMin: 'critical' }), failed)).toBeNull();
    expect(matchEvent(rule({ severityMin: 'medium' }), failed)).not.toBeNull();
    expect(matchEvent(rule({ categories: ['hardware'] }), failed)).toBeNull();
    expect(matchEvent(rule({ severityMin: 'low' }), event('resource.created'))).toBeNull();
  });

  it("computes Alertmanager's fingerprint, stable over the labels' order", () => {
    // FNV-1a 64 offset basis: Prometheus' fingerprint of the empty label set.
    expect(alertFingerprint({})).toBe('cbf29ce484222325');
    const a = alertFingerprint({ alertname: 'X', severity: 'critical', system_key: 'SYS-1' });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(alertFingerprint({ system_key: 'SYS-1', severity: 'critical', alertname: 'X' })).toBe(a);
    expect(alertFingerprint({ alertname: 'X', severity: 'warning', system_key: 'SYS-1' })).not.toBe(a);
  });
});
