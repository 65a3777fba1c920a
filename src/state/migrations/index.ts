/** Every migration, listed statically: gaia is bundled, so kysely's FileMigrationProvider (which
 *  scans a folder at run time) cannot find them. Names sort in the order they must run. */
import type { Migration, MigrationProvider } from 'kysely';
import { initial } from './0001-initial.js';
import { features } from './0002-features.js';
import { agentConversations } from './0003-agent-conversations.js';
import type { DdlProfile } from './profile.js';

const ALL: Readonly<Record<string, (ddl: DdlProfile) => Migration>> = {
  '0001_initial': initial,
  '0002_features': features,
  '0003_agent_conversations': agentConversations,
};

export const migrationNames: readonly string[] = Object.keys(ALL).sort();

export function migrationProvider(ddl: DdlProfile): MigrationProvider {
  return {
    getMigrations: async () => Object.fromEntries(Object.entries(ALL).map(([name, make]) => [name, make(ddl)])),
  };
}

export { sqliteDdl, postgresDdl, type DdlProfile } from './profile.js';
