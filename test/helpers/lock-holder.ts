/** Opens a lowdb store on the data dir given as argument and holds it until killed (for lock tests). */
import { LowdbStore } from '../../src/store/lowdb/lowdb-store.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: lock-holder <data dir>');
await LowdbStore.open({ dataDir, maxBytes: 100 * 1024 * 1024 });
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
