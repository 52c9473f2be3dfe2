import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * No container engine on this machine: the Dockerfile cannot be built here, so this
 * lints it for the basics (multi-stage, production-only dependencies, non-root user,
 * a health check on the liveness route, a context that leaves local state out).
 */
interface Instruction {
  keyword: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of each stage, in order (ARGs before the first FROM are dropped). */
function stages(instructions: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') result.push([instruction]);
    else if (result.length) result[result.length - 1].push(instruction);
  }
  return result;
}

describe('Dockerfile', () => {
  const root = process.cwd();
  const instructions = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const all = stages(instructions);
  const final = all[all.length - 1];

  it('is multi-stage: a build stage and a runtime stage that copies the build output', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const buildStage = all[0][0].args.match(/\bAS\s+(\S+)/i)?.[1];
    expect(buildStage).toBeTruthy();
    expect(all[0].some((i) => i.keyword === 'RUN' && /npm run build/.test(i.args))).toBe(true);
    expect(final.some((i) => i.keyword === 'COPY' && i.args.includes(`--from=${buildStage}`))).toBe(true);
  });

  it('installs production dependencies only in the runtime stage, from the lockfile', () => {
    const runs = final.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((args) => /npm ci\b.*--omit=dev/.test(args))).toBe(true);
    expect(instructions.some((i) => i.keyword === 'RUN' && /npm (install|i)\b/.test(i.args))).toBe(false);
    expect(final.some((i) => i.keyword === 'COPY' && i.args.includes('package-lock.json'))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const users = final.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].args.split(':')[0];
    expect(['root', '0']).not.toContain(user);
    // The last USER comes before the command runs, after every RUN.
    const lastRun = final.map((i) => i.keyword).lastIndexOf('RUN');
    expect(final.indexOf(users[users.length - 1])).toBeGreaterThan(lastRun);
  });

  it('checks health on the liveness route and starts the server', () => {
    const check = final.find((i) => i.keyword === 'HEALTHCHECK');
    expect(check?.args).toContain('/api/inventory/v1/ping/');
    const entry = final.filter((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD');
    expect(entry.map((i) => i.args).join(' ')).toMatch(/dist\/src\/cli\.js.*serve/);
    expect(final.some((i) => i.keyword === 'EXPOSE' && /\b8000\b/.test(i.args))).toBe(true);
  });

  it('keeps local state, dependencies and secrets out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'dist', '.data', '.git', '.env']) expect(ignored).toContain(entry);
  });
});
