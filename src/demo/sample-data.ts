import { seededRandom } from '../common/random.js';

/**
 * Deterministic sample customers, shaped like a Russian Excel export: mixed phone formats, some
 * invalid and duplicated numbers, minors, people whose birthday is today, a few foreign numbers.
 * Used by the demo, the benchmarks and tests.
 */
export interface SampleOptions {
  rows: number;
  seed?: number;
  /** "Today" as YYYY-MM-DD, so some birthdays fall on it. */
  today: string;
}

const FIRST_F = ['Анна', 'Мария', 'Елена', 'Ольга', 'Наталья', 'Юлия', 'Ирина', 'Алёна', 'Дарья', 'Ксения'];
const FIRST_M = ['Иван', 'Алексей', 'Дмитрий', 'Сергей', 'Андрей', 'Михаил', 'Никита', 'Павел', 'Егор', 'Артём'];
const LAST = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Соколов', 'Лебедев', 'Козлов', 'Новиков', 'Морозов', 'Волков'];
const CITIES = ['Москва', 'Санкт-Петербург', 'Новосибирск', 'Екатеринбург', 'Казань', 'Владивосток', 'Калининград', 'Самара', 'Красноярск', ''];
const INTERESTS = ['спорт', 'путешествия', 'кулинария', 'книги', 'кино', 'техника', 'мода', 'дети'];
const FOREIGN = [
  { phone: '+49 1512 3456789', city: 'Berlin' },
  { phone: '+44 7911 123456', city: 'London' },
  { phone: '+1 415 555 2671', city: 'San Francisco' },
  { phone: '+7 701 234 5678', city: 'Алматы' },
];
const BAD_PHONES = ['', '12345', 'нет телефона', '+7 495 123-45-67', '8 (800) 555-35-35'];

export const SAMPLE_HEADERS = ['Телефон', 'Имя', 'Фамилия', 'Пол', 'Дата рождения', 'Город', 'Интересы', 'Согласие на рассылку'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function russianMobile(next: () => number, index: number): string {
  const digits = String(9_000_000_000 + ((index * 7919 + Math.floor(next() * 1000)) % 999_999_999)).padStart(10, '9');
  const [a, b, c, d] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6, 8), digits.slice(8)];
  switch (index % 4) {
    case 0: return `8 (${a}) ${b}-${c}-${d}`;
    case 1: return `+7 ${a} ${b} ${c} ${d}`;
    case 2: return `7${digits}`;
    default: return digits;
  }
}

function birthDate(next: () => number, today: string, index: number): string {
  const [year, month, day] = today.split('-').map(Number) as [number, number, number];
  if (index % 97 === 5) return `${String(day).padStart(2, '0')}.${String(month).padStart(2, '0')}.${year - 30 - (index % 20)}`;
  const age = index % 53 === 3 ? 15 : 18 + Math.floor(next() * 55);
  const m = 1 + Math.floor(next() * 12);
  const d = 1 + Math.floor(next() * 28);
  return index % 2 === 0
    ? `${String(d).padStart(2, '0')}.${String(m).padStart(2, '0')}.${year - age}`
    : `${year - age}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Yields data rows (without the header) of the sample file. */
export function* sampleRows(options: SampleOptions): Generator<string[]> {
  const next = seededRandom(options.seed ?? 42);
  const phones: string[] = [];
  for (let index = 0; index < options.rows; index += 1) {
    const female = next() < 0.55;
    const first = pick(next, female ? FIRST_F : FIRST_M);
    const last = `${pick(next, LAST)}${female ? 'а' : ''}`;
    let phone = russianMobile(next, index);
    let city = pick(next, CITIES);
    if (index % 50 === 7) ({ phone, city } = pick(next, FOREIGN));
    if (index % 40 === 11) phone = pick(next, BAD_PHONES);
    if (index % 45 === 13 && phones.length > 0) phone = pick(next, phones);
    else if (phones.length < 500) phones.push(phone);
    const interests = INTERESTS.filter(() => next() < 0.2).join(', ');
    const consent = index % 10 === 0 ? 'нет' : 'да';
    yield [phone, first, last, female ? 'ж' : 'м', birthDate(next, options.today, index), city, interests, consent];
  }
}

function csvCell(value: string, delimiter: string): string {
  return /["\n\r]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The sample as CSV text (`;`-separated, as Russian Excel writes it). */
export function* sampleCsvLines(options: SampleOptions, delimiter = ';'): Generator<string> {
  yield `${SAMPLE_HEADERS.map((cell) => csvCell(cell, delimiter)).join(delimiter)}\r\n`;
  for (const row of sampleRows(options)) yield `${row.map((cell) => csvCell(cell, delimiter)).join(delimiter)}\r\n`;
}
