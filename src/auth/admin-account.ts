import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { generatePassword, hashPassword, type ScryptParams } from './passwords.js';

/**
 * First start: creates the superuser `admin` with INVENTORY_ADMIN_PASSWORD, or with a
 * generated password written to `<dataDir>/admin-password` (mode 0600). Returns what
 * to tell the operator (never the password itself), or null when admin already exists.
 */
export async function ensureAdminAccount(
  db: DataSource,
  dataDir: string,
  password: string | null,
  scrypt: ScryptParams,
): Promise<string | null> {
  const existing = await db.query<unknown[]>(`SELECT 1 FROM users WHERE username = 'admin'`);
  if (existing.length > 0) return null;
  const secret = password ?? generatePassword();
  const inserted = await db.query<{ id: number }[]>(
    `INSERT INTO users (username, is_superuser, password_hash, first_name, last_name)
     VALUES ('admin', true, $1, 'Inventory', 'Administrator') ON CONFLICT (username) DO NOTHING RETURNING id`,
    [await hashPassword(secret, scrypt)],
  );
  if (inserted.length === 0) return null; // another replica created it first
  if (password) return 'Created the superuser "admin" with the password from INVENTORY_ADMIN_PASSWORD';
  const path = join(dataDir, 'admin-password');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return `Created the superuser "admin"; its password is in ${path}`;
}
