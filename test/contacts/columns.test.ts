import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/common/errors.js';
import {
  mapColumns,
  parseConsentCell,
  parseDateCell,
  parseGender,
  parseMapOption,
  splitFullName,
  splitList,
} from '../../src/contacts/columns.js';

const targets = (headers: string[], overrides?: Record<string, string>): string[] =>
  mapColumns(headers, overrides).columns.map((c) => c.target);

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('mapColumns', () => {
  it('maps English headers regardless of case, spaces, underscores, hyphens and dots', () => {
    expect(targets(['Mobile Phone', 'first_name', 'Last-Name', 'FULL NAME', 'Sex', 'D.O.B', 'Town', 'Time Zone', 'Interests', 'Labels', 'Opt In', 'E-mail'])).toEqual([
      'phone', 'firstName', 'lastName', 'fullName', 'gender', 'birthDate', 'city', 'timezone', 'interests', 'tags', 'consent', 'email',
    ]);
    expect(targets(['MSISDN', 'Name', 'Surname', 'Contact name', 'Birthday', 'tz', 'SMS consent'])).toEqual([
      'phone', 'firstName', 'lastName', 'fullName', 'birthDate', 'timezone', 'consent',
    ]);
  });

  it('maps Russian headers, with ё spelled either way', () => {
    expect(targets(['Номер телефона', 'Имя', 'Фамилия', 'ФИО', 'Пол', 'Дата рождения', 'Населённый пункт', 'Часовой пояс', 'Интересы', 'Метки', 'Согласие на рассылку', 'Электронная почта'])).toEqual([
      'phone', 'firstName', 'lastName', 'fullName', 'gender', 'birthDate', 'city', 'timezone', 'interests', 'tags', 'consent', 'email',
    ]);
    expect(targets(['Тел.', 'ДР', 'Город', 'Теги', 'Подписка', 'Почта', 'Мобильный телефон'])).toEqual([
      'phone', 'birthDate', 'city', 'tags', 'consent', 'email', 'properties.Мобильный телефон',
    ]);
  });

  it('keeps unknown columns as properties under their trimmed header, and unique', () => {
    const mapping = mapColumns(['Телефон', ' Менеджер ', 'Note', 'note', '']);
    expect(mapping.columns).toEqual([
      { index: 0, header: 'Телефон', target: 'phone' },
      { index: 1, header: 'Менеджер', target: 'properties.Менеджер' },
      { index: 2, header: 'Note', target: 'properties.Note' },
      { index: 3, header: 'note', target: 'properties.note' },
      { index: 4, header: '', target: 'properties.column5' },
    ]);
    expect(targets(['Note', 'Note'])).toEqual(['properties.Note', 'properties.Note (2)']);
  });

  it('gives a field to the first matching column and keeps later ones as properties', () => {
    expect(targets(['Телефон', 'Phone', 'Имя', 'Name'])).toEqual(['phone', 'properties.Phone', 'firstName', 'properties.Name']);
  });

  it('applies overrides first, matching the header case-insensitively', () => {
    const mapping = mapColumns(['Клиент', 'Контакт', 'Телефон'], { 'контакт': 'phone', 'КЛИЕНТ': 'fullName', 'Телефон': 'properties.Old phone' });
    expect(mapping.columns.map((c) => c.target)).toEqual(['fullName', 'phone', 'properties.Old phone']);
    expect(targets(['A', 'B'], { B: 'FirstName' })).toEqual(['properties.A', 'firstName']);
  });

  it('moves an auto-matched column aside when an override claims its field', () => {
    expect(targets(['Телефон', 'Мобильный'], { 'Мобильный': 'phone' })).toEqual(['properties.Телефон', 'phone']);
  });

  it('rejects overrides naming a missing column or an unknown field', () => {
    const missing = thrown(() => mapColumns(['Телефон', 'Имя'], { Phone2: 'phone' }));
    expect(missing.code).toBe('VALIDATION_FAILED');
    expect(missing.message).toContain('"Phone2"');
    expect(missing.hint).toContain('"Телефон", "Имя"');
    const field = thrown(() => mapColumns(['Телефон'], { 'Телефон': 'mobile' }));
    expect(field.code).toBe('VALIDATION_FAILED');
    expect(field.hint).toContain('phone, firstName');
    expect(field.hint).toContain('properties.<name>');
    expect(thrown(() => mapColumns(['A'], { A: 'properties.' })).code).toBe('VALIDATION_FAILED');
    expect(thrown(() => mapColumns(['A', 'B'], { A: 'phone', B: 'phone' })).message).toMatch(/both/);
  });
});

describe('parseMapOption', () => {
  it('splits each value on its last "="', () => {
    expect(parseMapOption(['Мобильный=phone', ' a=b = properties.ab ', 'Имя клиента=firstName'])).toEqual({
      'Мобильный': 'phone',
      'a=b': 'properties.ab',
      'Имя клиента': 'firstName',
    });
    expect(parseMapOption([])).toEqual({});
  });

  it('names a malformed value', () => {
    for (const bad of ['phone', '=phone', 'Phone=', '  =  ']) {
      const error = thrown(() => parseMapOption(['Ok=phone', bad]));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(`"${bad}"`);
    }
    expect(thrown(() => parseMapOption(['A=phone', 'a=city'])).message).toMatch(/twice/);
  });
});

describe('parseDateCell', () => {
  it.each([
    ['17.05.1990', '1990-05-17'],
    ['7.5.1990', '1990-05-07'],
    ['17/05/1990', '1990-05-17'],
    ['1990-05-17', '1990-05-17'],
    ['1990-05-17T10:20:30Z', '1990-05-17'],
    ['1990-05-17 00:00:00', '1990-05-17'],
    ['17.05.1990 0:00', '1990-05-17'],
    [' 29.02.2024 ', '2024-02-29'],
    ['1', '1900-01-01'],
    ['59', '1900-02-28'],
    ['61', '1900-03-01'],
    ['45000', '2023-03-15'],
    ['45000.75', '2023-03-15'],
    ['2958465', '9999-12-31'],
  ])('reads %s as %s', (input, date) => {
    expect(parseDateCell(input)).toEqual({ ok: true, date });
  });

  it.each(['31.02.2000', '29.02.2023', '32.01.2000', '01.13.2000', '2000-02-30', '01.02.03', '1/2/99', '60', '0', '2958466', '17-05-1990', '17.05/1990', 'вчера', '1990-05-17T25'])(
    'rejects %s',
    (input) => {
      expect(parseDateCell(input)).toEqual({ ok: false });
    },
  );

  it('treats an empty cell as no date', () => {
    expect(parseDateCell('')).toEqual({ ok: true, date: undefined });
    expect(parseDateCell('   ')).toEqual({ ok: true, date: undefined });
  });
});

describe('parseGender', () => {
  it('reads Russian and English words', () => {
    for (const male of ['м', 'М', 'муж', 'муж.', 'Мужской', 'm', 'Male', 'MAN']) expect(parseGender(male)).toEqual({ ok: true, value: 'male' });
    for (const female of ['ж', 'Жен.', 'женский', 'F', 'female', 'Woman']) expect(parseGender(female)).toEqual({ ok: true, value: 'female' });
    for (const other of ['другой', 'Other', 'x']) expect(parseGender(other)).toEqual({ ok: true, value: 'other' });
  });

  it('separates empty from unknown', () => {
    expect(parseGender(' ')).toEqual({ ok: true, value: undefined });
    expect(parseGender('мальчик')).toEqual({ ok: false });
    expect(parseGender('1')).toEqual({ ok: false });
  });
});

describe('parseConsentCell', () => {
  it('reads yes-like and no-like answers', () => {
    for (const yes of ['yes', 'Y', 'TRUE', '1', 'да', 'Д', 'согласен', 'Согласна', 'opted_in', 'opt-in', 'Subscribed', '+']) {
      expect(parseConsentCell(yes)).toEqual({ ok: true, value: 'opted_in' });
    }
    for (const no of ['no', 'n', 'false', '0', 'Нет', 'н', 'не согласен', 'Не  согласна', 'opted_out', 'opt-out', 'unsubscribed', '-']) {
      expect(parseConsentCell(no)).toEqual({ ok: true, value: 'opted_out' });
    }
  });

  it('separates empty from unknown', () => {
    expect(parseConsentCell('')).toEqual({ ok: true, value: undefined });
    expect(parseConsentCell('может быть')).toEqual({ ok: false });
    expect(parseConsentCell('2')).toEqual({ ok: false });
  });
});

describe('splitList', () => {
  it('splits on , ; | and newlines, trims and drops empties', () => {
    expect(splitList('рыбалка, футбол;кино|театр\nмузыка\r\nигры')).toEqual(['рыбалка', 'футбол', 'кино', 'театр', 'музыка', 'игры']);
    expect(splitList(' , ;; | ')).toEqual([]);
  });

  it('dedupes case-insensitively, keeping the first spelling', () => {
    expect(splitList('VIP, vip, Футбол, ФУТБОЛ, футбол')).toEqual(['VIP', 'Футбол']);
  });
});

describe('splitFullName', () => {
  it('splits Russian names surname first, keeping the patronymic', () => {
    expect(splitFullName('Иванов Иван Иванович')).toEqual({ ok: true, lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович' });
    expect(splitFullName('Петрова Мария')).toEqual({ ok: true, lastName: 'Петрова', firstName: 'Мария' });
    expect(splitFullName('Сидорова Анна Петровна')).toEqual({ ok: true, lastName: 'Сидорова', firstName: 'Анна', middleName: 'Петровна' });
    expect(splitFullName('Иван Ильич Смирнов')).toEqual({ ok: true, firstName: 'Иван', middleName: 'Ильич', lastName: 'Смирнов' });
    expect(splitFullName('Мария Петрова')).toEqual({ ok: true, firstName: 'Мария', lastName: 'Петрова' });
    expect(splitFullName('Кузьмина-Караваева Елизавета Юрьевна')).toMatchObject({ lastName: 'Кузьмина-Караваева', middleName: 'Юрьевна' });
    expect(splitFullName('Мамедов Эльчин Вагиф оглы')).toEqual({ ok: true, lastName: 'Мамедов', firstName: 'Эльчин', middleName: 'Вагиф оглы' });
  });

  it('splits one or two Latin words and says when a name cannot be split', () => {
    expect(splitFullName('Анна')).toEqual({ ok: true, firstName: 'Анна' });
    expect(splitFullName('  John   Smith ')).toEqual({ ok: true, firstName: 'John', lastName: 'Smith' });
    expect(splitFullName('Mary Ann Smith')).toEqual({ ok: false });
    expect(splitFullName('Анна Мария Луиза Петрова')).toEqual({ ok: false });
    expect(splitFullName('Ли Мин Хо')).toEqual({ ok: false });
    expect(splitFullName('   ')).toEqual({ ok: true });
  });

  it('accepts м/ж and муж/жен in any case', () => {
    for (const value of ['м', 'М', 'муж', 'МУЖ', 'Муж.']) expect(parseGender(value), value).toEqual({ ok: true, value: 'male' });
    for (const value of ['ж', 'Ж', 'жен', 'ЖЕН', 'Жен.']) expect(parseGender(value), value).toEqual({ ok: true, value: 'female' });
  });
});
