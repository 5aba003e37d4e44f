/**
 * Remembers what a pure function of one string gave, for at most `max` distinct strings (past that,
 * new ones are computed each time: still correct, only not remembered). A contact list repeats its
 * dates, genders and cities thousands of times. The results are shared between callers: frozen.
 */
export function memoByString<T>(compute: (key: string) => T, max: number): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    let result = known.get(key);
    if (result === undefined) {
      result = compute(key);
      if (typeof result === 'object' && result !== null) Object.freeze(result);
      if (known.size < max) known.set(key, result);
    }
    return result;
  };
}
