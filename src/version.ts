/** The service version (kept equal to package.json's by a unit test). */
export const VERSION = '0.1.0';
export const SERVICE_NAME = 'inventory';
/** Canonical API prefix; `/api/v1/` is also served for gateways that strip the service slug. */
export const API_PREFIX = 'api/inventory/v1';
export const ALIAS_PREFIX = '/api/v1/';
