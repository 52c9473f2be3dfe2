import { Module } from '@nestjs/common';
import { InventoryModule } from 'inventory-platform';
import { ParentController } from './parent.controller.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('Set DATABASE_URL to a PostgreSQL 15+ database for the inventory.');

@Module({
  imports: [
    InventoryModule.forRoot({
      prefix: 'inventory/api/v1',
      databaseUrl,
      // The parent serves /health; the inventory's health, ping and metrics routes stay off.
      health: false,
      metrics: false,
      config: {
        INVENTORY_DATA_DIR: process.env.INVENTORY_DATA_DIR ?? './.data-embedded',
        GATEWAY_JWT_PUBLIC_KEY: process.env.GATEWAY_JWT_PUBLIC_KEY,
      },
    }),
  ],
  controllers: [ParentController],
})
export class ParentAppModule {}
