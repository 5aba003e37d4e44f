import { afterAll, describe } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/port.js';
import { TEST_DATABASE_URL, checkPostgres, noteSkipped, testSchemas } from '../helpers/postgres.js';
import { describeStoreContract } from './store.contract.js';

const pg = await checkPostgres();
if (!pg.ok) noteSkipped('the PostgreSQL store contract suite', pg.reason);
const schemas = testSchemas('contract');
afterAll(() => schemas.dropAll());

const open = (schema: string): Promise<PostgresStore> => PostgresStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 3 });

describe.skipIf(!pg.ok)('postgres store', () => {
  describeStoreContract('postgres', {
    open: () => open(schemas.next()),
    reopen: async (store: Store) => {
      const schema = (store as PostgresStore).db.options.schema;
      await store.close();
      return open(schema);
    },
  });
});
