import { CronExpressionParser } from 'cron-parser';

/**
 * A provider schedule is either an interval in seconds ("3600") or a five-field cron
 * expression ("*\/15 * * * *", UTC). Returns the next time after `from`, or an error.
 */
export function nextRun(schedule: string, from: Date): Date | { error: string } {
  const value = schedule.trim();
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    if (seconds < 60) return { error: 'An interval must be at least 60 seconds.' };
    if (seconds > 366 * 86400) return { error: 'An interval must be at most a year.' };
    return new Date(from.getTime() + seconds * 1000);
  }
  if (value.split(/\s+/).length !== 5)
    return {
      error: 'Use an interval in seconds or a five-field cron expression (minute hour day month weekday).',
    };
  try {
    return CronExpressionParser.parse(value, { currentDate: from, tz: 'UTC' }).next().toDate();
  } catch (error) {
    return { error: `Not a valid cron expression: ${(error as Error).message}` };
  }
}
