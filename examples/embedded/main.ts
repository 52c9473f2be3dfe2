// A parent NestJS application that mounts the inventory under /inventory/api/v1/.
// Run: see README.md in this folder.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { INVENTORY_FASTIFY_OPTIONS, InventoryModule } from 'inventory-platform';
import { ParentAppModule } from './app.module.js';

const app = await NestFactory.create<NestFastifyApplication>(
  ParentAppModule,
  new FastifyAdapter({ ...INVENTORY_FASTIFY_OPTIONS }),
);
InventoryModule.setupDocs(app); // /inventory/api/v1/docs/ and /inventory/api/v1/openapi.json
app.enableShutdownHooks();
const port = Number(process.env.PORT ?? 3000);
await app.listen(port, process.env.HOST ?? '127.0.0.1');
const address = app.getHttpServer().address();
console.log(
  `Parent app listening on port ${typeof address === 'object' && address ? address.port : port}: ` +
    '/health, /hello, and the inventory at /inventory/api/v1/',
);
