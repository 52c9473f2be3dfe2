// The package's public entry (`import { InventoryModule } from 'inventory-platform'`):
// the inventory as a module of another NestJS application. README, "Embedding".
export {
  INVENTORY_FASTIFY_OPTIONS,
  InventoryModule,
  type InventoryModuleOptions,
} from './embedding/inventory.module.js';
