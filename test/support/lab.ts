import { seedVmwareLab, type LabSeedResult } from '../../seeds/vmware-lab.seed.js';
import { createDataSource } from '../../src/database/data-source.js';
import type { TestApp } from './app.js';

/**
 * Seeds the VMware lab (`seed vmware-lab`: the original service's lab, 8 runs over the
 * past week) into the test app's database, as the command does.
 */
export async function seedLab(t: TestApp, flush = false): Promise<LabSeedResult> {
  const db = createDataSource({ url: t.db.url, poolSize: 2 });
  await db.initialize();
  try {
    return await seedVmwareLab(db, t.secretBox, { flush, progress: () => undefined });
  } finally {
    await db.destroy();
  }
}
