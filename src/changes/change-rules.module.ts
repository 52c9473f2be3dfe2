import { Module } from '@nestjs/common';
import { ConfigError, INVENTORY_CONFIG, type InventoryConfig } from '../config/config.js';
import { ChangeRecorder } from './change-recorder.js';
import { ChangeClassifier, loadChangeRules } from './change-rules.js';

/**
 * The change rules in effect (CHANGE_RULES_FILE, then the built-in ones), read once at
 * start-up, and the one writer of resource_changes that applies them. Imported by every
 * module whose writes detect changes: collection, pushes, heartbeats.
 */
@Module({
  providers: [
    {
      provide: ChangeRecorder,
      inject: [INVENTORY_CONFIG],
      useFactory: (config: InventoryConfig) => {
        const file = config.facts.changeRulesFile;
        try {
          return new ChangeRecorder(new ChangeClassifier(loadChangeRules(file)));
        } catch (error) {
          throw new ConfigError([`CHANGE_RULES_FILE ${file}: ${(error as Error).message}`]);
        }
      },
    },
  ],
  exports: [ChangeRecorder],
})
export class ChangeRulesModule {}
