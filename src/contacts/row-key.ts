import type { ColumnMapping } from './columns.js';

/**
 * Bumped whenever the way a row becomes contact fields changes (phone rules, the city → zone table,
 * column parsing): keys made by an older version then match nothing, and every row is merged again.
 */
const ROW_KEY_VERSION = 1;

/**
 * A 64-bit hash (two independent 32-bit FNV-1a style lanes) of one row's mapped cells and everything
 * else that decides the fields it yields: the column targets, the default country and the key version.
 * Equal keys mean the row yields the same contact fields, so a contact holding the key (ContactImportKeys)
 * is what merging the row again would give. At 100,000 rows the chance that two different rows share a
 * key is about 3 in 10^10.
 */
export function rowKeyer(mapping: ColumnMapping, defaultCountry: string): (cells: readonly string[]) => string {
  const columns = mapping.columns.map((column) => column.index);
  const context = `${ROW_KEY_VERSION}\u0000${defaultCountry}\u0000${mapping.columns.map((c) => `${c.index}=${c.target}`).join('\u0001')}`;
  const [seedA, seedB] = hashLanes(context, 0x811c9dc5, 0x2b992ddf);
  return (cells) => {
    let a = seedA;
    let b = seedB;
    for (const index of columns) {
      const cell = cells[index] ?? '';
      for (let i = 0; i < cell.length; i += 1) {
        const code = cell.charCodeAt(i);
        a = Math.imul(a ^ code, 0x01000193);
        b = Math.imul(b ^ code, 0x5bd1e995);
        b ^= b >>> 15;
      }
      // A separator after each cell: ["ab", ""] and ["a", "b"] must differ.
      a = Math.imul(a ^ 0xffff, 0x01000193);
      b = Math.imul(b ^ 0xffff, 0x5bd1e995);
      b ^= b >>> 15;
    }
    return (a >>> 0).toString(36) + ':' + (b >>> 0).toString(36);
  };
}

function hashLanes(text: string, a: number, b: number): [number, number] {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a, b];
}
