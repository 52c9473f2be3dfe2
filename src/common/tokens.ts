/** Injection token for the database URL the process uses (for clients outside TypeORM's pool: pg-boss, LISTEN). */
export const DATABASE_URL = Symbol('DATABASE_URL');
