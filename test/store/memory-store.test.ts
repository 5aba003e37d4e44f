import { createMemoryStore } from '../../src/store/memory/memory-store.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('memory', { open: async () => createMemoryStore() });
