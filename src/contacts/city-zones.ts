/**
 * City → IANA zone, for contacts whose country spans several zones. Data only; the lookup lives in
 * timezone.ts and ignores case, punctuation, spaces, diacritics and "г."/"город" prefixes, so each
 * spelling is listed once. Russia comes first: it is the main market, and table order breaks ties
 * when a name exists in several countries and the contact has no country.
 *
 * Source of the zone assignments: the IANA tz database, zone.tab / zone1970.tab region comments
 * (e.g. "MSK+01 - Samara, Udmurtia", "MSK+04 - Kemerovo", "MSK+06 - Lena River" which also covers
 * Amur Oblast, "MSK+07 - Amur River" for Khabarovsk/Primorye), checked against tzdata 2025c.
 * Country keys follow zone.tab, so Crimea sits under UA with Europe/Simferopol (Moscow time).
 * Names shared by places in different zones (Victoria, Newcastle, a bare "Петропавловск") are left
 * out on purpose: no zone beats a wrong one, since the country fallback still applies.
 */
export const CITY_ZONES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  RU: {
    'Europe/Kaliningrad': ['Калининград', 'Kaliningrad'],
    'Europe/Moscow': [
      'Москва', 'Moscow', 'Moskva', 'Мск', 'Msk',
      'Санкт-Петербург', 'Петербург', 'Питер', 'СПб', 'Ленинград',
      'Saint Petersburg', 'St Petersburg', 'Sankt-Peterburg', 'Petersburg', 'Leningrad',
      'Балашиха', 'Balashikha', 'Химки', 'Khimki', 'Подольск', 'Podolsk', 'Мытищи', 'Mytishchi',
      'Королёв', 'Korolyov', 'Korolev', 'Люберцы', 'Lyubertsy', 'Красногорск', 'Krasnogorsk',
      'Электросталь', 'Elektrostal', 'Одинцово', 'Odintsovo', 'Зеленоград', 'Zelenograd',
      'Архангельск', 'Arkhangelsk', 'Северодвинск', 'Severodvinsk', 'Вологда', 'Vologda',
      'Череповец', 'Cherepovets', 'Мурманск', 'Murmansk', 'Петрозаводск', 'Petrozavodsk',
      'Сыктывкар', 'Syktyvkar', 'Нарьян-Мар', 'Naryan-Mar', 'Псков', 'Pskov',
      'Великий Новгород', 'Veliky Novgorod', 'Velikiy Novgorod', 'Новгород', 'Novgorod',
      'Тверь', 'Tver', 'Смоленск', 'Smolensk', 'Брянск', 'Bryansk', 'Калуга', 'Kaluga',
      'Тула', 'Tula', 'Рязань', 'Ryazan', 'Владимир', 'Vladimir', 'Ковров', 'Kovrov',
      'Иваново', 'Ivanovo', 'Кострома', 'Kostroma', 'Ярославль', 'Yaroslavl',
      'Орёл', 'Orel', 'Oryol', 'Курск', 'Kursk', 'Белгород', 'Belgorod', 'Старый Оскол', 'Stary Oskol',
      'Липецк', 'Lipetsk', 'Воронеж', 'Voronezh', 'Тамбов', 'Tambov', 'Пенза', 'Penza',
      'Нижний Новгород', 'Nizhny Novgorod', 'Nizhniy Novgorod', 'Nizhnii Novgorod', 'Дзержинск', 'Dzerzhinsk',
      'Чебоксары', 'Cheboksary', 'Йошкар-Ола', 'Yoshkar-Ola', 'Саранск', 'Saransk',
      'Казань', 'Kazan', 'Набережные Челны', 'Naberezhnye Chelny', 'Нижнекамск', 'Nizhnekamsk',
      'Альметьевск', 'Almetyevsk',
      'Ростов-на-Дону', 'Ростов', 'Rostov-on-Don', 'Rostov-na-Donu', 'Rostov', 'Таганрог', 'Taganrog',
      'Шахты', 'Shakhty', 'Новочеркасск', 'Novocherkassk', 'Волгодонск', 'Volgodonsk',
      'Краснодар', 'Krasnodar', 'Сочи', 'Sochi', 'Новороссийск', 'Novorossiysk', 'Армавир', 'Armavir',
      'Майкоп', 'Maykop', 'Maikop', 'Ставрополь', 'Stavropol', 'Пятигорск', 'Pyatigorsk',
      'Кисловодск', 'Kislovodsk', 'Черкесск', 'Cherkessk', 'Нальчик', 'Nalchik',
      'Владикавказ', 'Vladikavkaz', 'Магас', 'Magas', 'Грозный', 'Grozny', 'Махачкала', 'Makhachkala',
      'Хасавюрт', 'Khasavyurt', 'Дербент', 'Derbent', 'Элиста', 'Elista',
    ],
    'Europe/Kirov': ['Киров', 'Kirov'],
    'Europe/Volgograd': ['Волгоград', 'Volgograd', 'Волжский', 'Volzhsky'],
    'Europe/Astrakhan': ['Астрахань', 'Astrakhan'],
    'Europe/Saratov': ['Саратов', 'Saratov', 'Энгельс', 'Engels', 'Балаково', 'Balakovo'],
    'Europe/Ulyanovsk': ['Ульяновск', 'Ulyanovsk', 'Димитровград', 'Dimitrovgrad'],
    'Europe/Samara': [
      'Самара', 'Samara', 'Тольятти', 'Togliatti', 'Tolyatti', 'Сызрань', 'Syzran',
      'Ижевск', 'Izhevsk',
    ],
    'Asia/Yekaterinburg': [
      'Екатеринбург', 'Yekaterinburg', 'Ekaterinburg', 'Нижний Тагил', 'Nizhny Tagil',
      'Каменск-Уральский', 'Kamensk-Uralsky', 'Челябинск', 'Chelyabinsk', 'Магнитогорск', 'Magnitogorsk',
      'Златоуст', 'Zlatoust', 'Миасс', 'Miass', 'Копейск', 'Kopeysk',
      'Уфа', 'Ufa', 'Стерлитамак', 'Sterlitamak', 'Салават', 'Salavat',
      'Пермь', 'Perm', 'Березники', 'Berezniki', 'Оренбург', 'Orenburg', 'Орск', 'Orsk',
      'Курган', 'Kurgan', 'Тюмень', 'Tyumen', 'Тобольск', 'Tobolsk',
      'Ханты-Мансийск', 'Khanty-Mansiysk', 'Сургут', 'Surgut', 'Нижневартовск', 'Nizhnevartovsk',
      'Нефтеюганск', 'Nefteyugansk', 'Салехард', 'Salekhard', 'Новый Уренгой', 'Novy Urengoy',
      'Ноябрьск', 'Noyabrsk',
    ],
    'Asia/Omsk': ['Омск', 'Omsk'],
    'Asia/Novosibirsk': ['Новосибирск', 'Novosibirsk', 'Бердск', 'Berdsk'],
    'Asia/Barnaul': ['Барнаул', 'Barnaul', 'Бийск', 'Biysk', 'Рубцовск', 'Rubtsovsk', 'Горно-Алтайск', 'Gorno-Altaysk'],
    'Asia/Tomsk': ['Томск', 'Tomsk', 'Северск', 'Seversk'],
    'Asia/Novokuznetsk': [
      'Кемерово', 'Kemerovo', 'Новокузнецк', 'Novokuznetsk', 'Прокопьевск', 'Prokopyevsk',
      'Междуреченск', 'Mezhdurechensk',
    ],
    'Asia/Krasnoyarsk': [
      'Красноярск', 'Krasnoyarsk', 'Норильск', 'Norilsk', 'Ачинск', 'Achinsk',
      'Абакан', 'Abakan', 'Кызыл', 'Kyzyl',
    ],
    'Asia/Irkutsk': [
      'Иркутск', 'Irkutsk', 'Ангарск', 'Angarsk', 'Братск', 'Bratsk', 'Улан-Удэ', 'Ulan-Ude',
    ],
    'Asia/Chita': ['Чита', 'Chita'],
    'Asia/Yakutsk': [
      'Якутск', 'Yakutsk', 'Нерюнгри', 'Neryungri', 'Благовещенск', 'Blagoveshchensk',
    ],
    'Asia/Vladivostok': [
      'Владивосток', 'Vladivostok', 'Находка', 'Nakhodka', 'Уссурийск', 'Ussuriysk',
      'Хабаровск', 'Khabarovsk', 'Комсомольск-на-Амуре', 'Komsomolsk-on-Amur', 'Komsomolsk-na-Amure',
      'Биробиджан', 'Birobidzhan',
    ],
    'Asia/Magadan': ['Магадан', 'Magadan'],
    'Asia/Sakhalin': ['Южно-Сахалинск', 'Yuzhno-Sakhalinsk'],
    'Asia/Kamchatka': [
      'Петропавловск-Камчатский', 'Petropavlovsk-Kamchatsky', 'Petropavlovsk-Kamchatskiy',
    ],
    'Asia/Anadyr': ['Анадырь', 'Anadyr'],
  },
  KZ: {
    // zone.tab: "most of Kazakhstan"; the capital is here too.
    'Asia/Almaty': [
      'Алматы', 'Алма-Ата', 'Almaty', 'Alma-Ata', 'Астана', 'Нур-Султан', 'Astana', 'Nur-Sultan',
      'Шымкент', 'Чимкент', 'Shymkent', 'Караганда', 'Qaragandy', 'Karaganda', 'Тараз', 'Taraz',
      'Павлодар', 'Pavlodar', 'Усть-Каменогорск', 'Өскемен', 'Ust-Kamenogorsk', 'Oskemen',
      // Not "Петропавловск": Kamchatka residents write that too; only the Kazakh name is unambiguous.
      'Семей', 'Semey', 'Семипалатинск', 'Semipalatinsk', 'Петропавл', 'Petropavl',
      'Темиртау', 'Temirtau', 'Туркестан', 'Turkestan', 'Кокшетау', 'Kokshetau',
      'Талдыкорган', 'Taldykorgan', 'Экибастуз', 'Ekibastuz',
    ],
    'Asia/Aqtobe': ['Актобе', 'Aktobe', 'Aqtobe'],
    'Asia/Aqtau': ['Актау', 'Aktau', 'Aqtau', 'Жанаозен', 'Zhanaozen'],
    'Asia/Atyrau': ['Атырау', 'Atyrau'],
    'Asia/Oral': ['Уральск', 'Орал', 'Uralsk', 'Oral'],
    'Asia/Qostanay': ['Костанай', 'Kostanay', 'Qostanay', 'Рудный', 'Rudny'],
    'Asia/Qyzylorda': ['Кызылорда', 'Kyzylorda', 'Qyzylorda'],
  },
  UA: {
    'Europe/Kyiv': ['Киев', 'Київ', 'Kyiv', 'Kiev', 'Харьков', 'Kharkiv', 'Одесса', 'Odesa', 'Odessa',
      'Днепр', 'Dnipro', 'Львов', 'Lviv'],
    'Europe/Simferopol': ['Симферополь', 'Simferopol', 'Севастополь', 'Sevastopol', 'Керчь', 'Kerch'],
  },
  US: {
    'America/New_York': [
      'New York', 'New York City', 'NYC', 'Нью-Йорк', 'Philadelphia', 'Филадельфия',
      'Jacksonville', 'Charlotte', 'Columbus', 'Washington', 'Washington DC', 'Вашингтон',
      'Boston', 'Бостон', 'Baltimore', 'Atlanta', 'Атланта', 'Miami', 'Майами',
      'St. Petersburg FL', 'Saint Petersburg', 'St Petersburg',
    ],
    'America/Chicago': [
      'Chicago', 'Чикаго', 'Houston', 'Хьюстон', 'San Antonio', 'Dallas', 'Даллас', 'Fort Worth',
      'Austin', 'Остин', 'Oklahoma City', 'Nashville', 'Memphis', 'Milwaukee', 'Kansas City',
    ],
    'America/Denver': ['Denver', 'Денвер', 'El Paso', 'Albuquerque'],
    'America/Phoenix': ['Phoenix', 'Финикс', 'Tucson', 'Mesa'],
    'America/Los_Angeles': [
      'Los Angeles', 'Лос-Анджелес', 'San Diego', 'Сан-Диего', 'San Jose', 'San Francisco',
      'Сан-Франциско', 'Seattle', 'Сиэтл', 'Las Vegas', 'Лас-Вегас', 'Portland', 'Fresno', 'Sacramento',
    ],
    'America/Indiana/Indianapolis': ['Indianapolis'],
    'America/Detroit': ['Detroit', 'Детройт'],
    'America/Kentucky/Louisville': ['Louisville'],
    'America/Anchorage': ['Anchorage'],
    'Pacific/Honolulu': ['Honolulu', 'Гонолулу'],
  },
  CA: {
    'America/Toronto': ['Toronto', 'Торонто', 'Montreal', 'Монреаль', 'Ottawa', 'Оттава', 'Quebec City', 'Mississauga'],
    'America/Vancouver': ['Vancouver', 'Ванкувер'],
    'America/Edmonton': ['Calgary', 'Калгари', 'Edmonton', 'Эдмонтон'],
    'America/Winnipeg': ['Winnipeg', 'Виннипег'],
    'America/Regina': ['Regina', 'Saskatoon'],
    'America/Halifax': ['Halifax'],
    'America/St_Johns': ["St. John's", 'St Johns'],
  },
  BR: {
    'America/Sao_Paulo': [
      'São Paulo', 'Сан-Паулу', 'Rio de Janeiro', 'Рио-де-Жанейро', 'Brasília', 'Бразилиа',
      'Belo Horizonte', 'Curitiba', 'Porto Alegre', 'Goiânia',
    ],
    'America/Bahia': ['Salvador'],
    'America/Fortaleza': ['Fortaleza'],
    'America/Recife': ['Recife'],
    'America/Belem': ['Belém'],
    'America/Manaus': ['Manaus', 'Манаус'],
    'America/Cuiaba': ['Cuiabá'],
    'America/Campo_Grande': ['Campo Grande'],
  },
  MX: {
    'America/Mexico_City': ['Mexico City', 'Ciudad de México', 'CDMX', 'Мехико', 'Guadalajara', 'Puebla'],
    'America/Monterrey': ['Monterrey'],
    'America/Tijuana': ['Tijuana'],
    'America/Cancun': ['Cancún', 'Канкун'],
    'America/Merida': ['Mérida'],
    'America/Hermosillo': ['Hermosillo'],
    'America/Chihuahua': ['Chihuahua'],
    'America/Ciudad_Juarez': ['Ciudad Juárez'],
    'America/Mazatlan': ['Mazatlán', 'Culiacán'],
  },
  AU: {
    'Australia/Sydney': ['Sydney', 'Сидней', 'Canberra', 'Канберра'],
    'Australia/Melbourne': ['Melbourne', 'Мельбурн'],
    'Australia/Brisbane': ['Brisbane', 'Брисбен', 'Gold Coast'],
    'Australia/Perth': ['Perth', 'Перт'],
    'Australia/Adelaide': ['Adelaide', 'Аделаида'],
    'Australia/Hobart': ['Hobart'],
    'Australia/Darwin': ['Darwin'],
  },
};

/**
 * Which zone stands for a group of a country's zones sharing offsets: the capital's or the largest
 * city's, since Intl lists zones alphabetically and the first (Asia/Anadyr, Europe/Kirov…) would
 * puzzle anyone reading a report. Both spellings where Intl's (CLDR) name differs from today's IANA one.
 */
export const REPRESENTATIVE_ZONES: readonly string[] = [
  'Europe/Kaliningrad', 'Europe/Moscow', 'Europe/Samara', 'Asia/Yekaterinburg', 'Asia/Omsk', 'Asia/Novosibirsk',
  'Asia/Irkutsk', 'Asia/Yakutsk', 'Asia/Vladivostok', 'Asia/Magadan', 'Asia/Kamchatka',
  'Asia/Almaty', 'Europe/Berlin', 'Europe/Madrid', 'Europe/Lisbon', 'Europe/Kiev', 'Europe/Kyiv', 'Asia/Shanghai',
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles',
  'America/Anchorage', 'Pacific/Honolulu', 'America/Toronto', 'America/Winnipeg', 'America/Edmonton',
  'America/Vancouver', 'America/Halifax', 'America/Sao_Paulo', 'America/Manaus', 'America/Rio_Branco',
  'America/Mexico_City',
  'America/Tijuana', 'Australia/Sydney', 'Australia/Brisbane', 'Australia/Adelaide', 'Australia/Perth',
  'Asia/Jakarta', 'America/Buenos_Aires', 'America/Argentina/Buenos_Aires', 'America/Santiago',
  'America/Guayaquil', 'Pacific/Auckland',
];
