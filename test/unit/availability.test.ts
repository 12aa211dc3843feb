import { computeSlots, granulesOf, localDayRange, rangesOfGranules, type StaffSchedule, workingRanges } from '../../src/domain/availability';

const MADRID = 'Europe/Madrid';
const monday = '2026-06-01'; // a Monday, CEST (+02:00)
const longAgo = new Date('2020-01-01T00:00:00Z');

function staff(overrides: Partial<StaffSchedule> = {}): StaffSchedule {
  return {
    id: 'ana',
    workingHours: [{ weekday: 1, start: '09:00', end: '12:00' }],
    breaks: [],
    timeOff: [],
    ...overrides,
  };
}

const starts = (slots: { start: string }[]): string[] => slots.map((s) => s.start.slice(11, 16));

function slotsFor(opts: {
  date?: string;
  timezone?: string;
  durationMin?: number;
  bufferMin?: number;
  staff?: StaffSchedule[];
  busy?: Map<string, { start: Date; end: Date }[]>;
  now?: Date;
  alsoAt?: Date[];
}) {
  return computeSlots({
    ...(opts.alsoAt ? { alsoAt: opts.alsoAt } : {}),
    date: opts.date ?? monday,
    timezone: opts.timezone ?? MADRID,
    durationMin: opts.durationMin ?? 60,
    bufferMin: opts.bufferMin ?? 0,
    staff: opts.staff ?? [staff()],
    busy: opts.busy ?? new Map(),
    now: opts.now ?? longAgo,
  });
}

describe('computeSlots', () => {
  test('when a staff member works 09:00–12:00, then 60-minute slots start every 15 minutes until 11:00', () => {
    const slots = slotsFor({});
    expect(starts(slots)).toEqual(['09:00', '09:15', '09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '11:00']);
    expect(slots[0]).toEqual({ start: '2026-06-01T09:00:00+02:00', end: '2026-06-01T10:00:00+02:00', staffId: 'ana' });
  });

  test('when a start off the grid is asked for too (freed time), then it is a slot by the same rules: inside the hours, not blocked, not twice', () => {
    const at = (hhmm: string) => new Date(`${monday}T${hhmm}:00+02:00`);
    const busy = new Map([['ana', [{ start: at('09:00'), end: at('09:20') }]]]);
    const slots = slotsFor({ durationMin: 30, busy, alsoAt: [at('09:20'), at('09:50'), at('11:40'), at('09:10'), at('10:00')] });
    // 09:20 and 09:50 fit; 11:40 runs past 12:00; 09:10 overlaps what is busy; 10:00 is on the grid already.
    expect(starts(slots)).toEqual(['09:20', '09:30', '09:45', '09:50', '10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30']);
  });

  test('when the service has a buffer, then the buffer must fit too but the slot ends with the service', () => {
    const slots = slotsFor({ durationMin: 45, bufferMin: 15 });
    expect(starts(slots).at(-1)).toBe('11:00');
    expect(slots.at(-1)!.end).toBe('2026-06-01T11:45:00+02:00');
    expect(starts(slotsFor({ durationMin: 45, bufferMin: 30 })).at(-1)).toBe('10:45');
  });

  test('when the staff member has a break, then no slot overlaps it', () => {
    const slots = slotsFor({ staff: [staff({ breaks: [{ weekday: 1, start: '10:00', end: '10:30' }] })] });
    expect(starts(slots)).toEqual(['09:00', '10:30', '10:45', '11:00']);
  });

  test('when a break is on another weekday, then it does not apply', () => {
    const slots = slotsFor({ staff: [staff({ breaks: [{ weekday: 2, start: '10:00', end: '10:30' }] })] });
    expect(slots).toHaveLength(9);
  });

  test('when the buffer would run into a break, then that slot is not offered', () => {
    const slots = slotsFor({
      durationMin: 30,
      bufferMin: 15,
      staff: [staff({ breaks: [{ weekday: 1, start: '10:00', end: '10:30' }] })],
    });
    expect(starts(slots)).not.toContain('09:30'); // 09:30–10:00 service + 10:00–10:15 buffer hits the break
    expect(starts(slots)).toContain('09:15');
  });

  test('when the staff member has time off, then slots inside it disappear', () => {
    const timeOff = [{ from: new Date('2026-06-01T09:30:00+02:00'), to: new Date('2026-06-01T11:00:00+02:00') }];
    expect(starts(slotsFor({ durationMin: 30, staff: [staff({ timeOff })] }))).toEqual(['09:00', '11:00', '11:15', '11:30']);
    const allDay = [{ from: new Date('2026-05-30T00:00:00Z'), to: new Date('2026-06-03T00:00:00Z') }];
    expect(slotsFor({ staff: [staff({ timeOff: allDay })] })).toEqual([]);
  });

  test('when time is held or booked, then slots overlapping it (with buffer) are not offered', () => {
    const busy = new Map([['ana', [{ start: new Date('2026-06-01T10:00:00+02:00'), end: new Date('2026-06-01T10:30:00+02:00') }]]]);
    expect(starts(slotsFor({ durationMin: 30, busy }))).toEqual(['09:00', '09:15', '09:30', '10:30', '10:45', '11:00', '11:15', '11:30']);
    expect(starts(slotsFor({ durationMin: 30, bufferMin: 15, busy }))).toEqual(['09:00', '09:15', '10:30', '10:45', '11:00', '11:15']);
  });

  test('when part of the day is past, then no slot starts in the past', () => {
    const now = new Date('2026-06-01T10:05:00+02:00');
    expect(starts(slotsFor({ now }))).toEqual(['10:15', '10:30', '10:45', '11:00']);
  });

  test('when the weekday is not worked, then there are no slots', () => {
    expect(slotsFor({ date: '2026-06-02' })).toEqual([]);
  });

  test('when several staff members qualify, then slots come sorted by time with each staff id', () => {
    const slots = slotsFor({
      durationMin: 60,
      staff: [staff({ id: 'luis', workingHours: [{ weekday: 1, start: '10:00', end: '11:00' }] }), staff()],
    });
    expect(slots.filter((s) => s.start.includes('T10:00')).map((s) => s.staffId)).toEqual(['ana', 'luis']);
  });

  test('when the salon is in another time zone, then local hours are that zone’s', () => {
    const slots = slotsFor({ timezone: 'America/New_York' });
    expect(slots[0]!.start).toBe('2026-06-01T09:00:00-04:00');
    expect(new Date(slots[0]!.start).toISOString()).toBe('2026-06-01T13:00:00.000Z');
  });

  test('when the salon’s day has a DST jump forward (Madrid, 29 March 2026), then the missing hour is never offered', () => {
    const night = staff({ workingHours: [{ weekday: 7, start: '00:00', end: '06:00' }] });
    const slots = slotsFor({ date: '2026-03-29', staff: [night] });
    // 00:00+01:00 to 06:00+02:00 is five real hours: 60-minute starts every 15 minutes → 17 slots.
    expect(slots).toHaveLength(17);
    expect(slots.some((s) => s.start.includes('T02:'))).toBe(false);
    expect(slots.find((s) => s.start === '2026-03-29T01:30:00+01:00')!.end).toBe('2026-03-29T03:30:00+02:00');
    expect(slots.at(-1)!.start).toBe('2026-03-29T05:00:00+02:00');
  });

  test('when the salon’s day has a DST jump back (Madrid, 25 October 2026), then the repeated hour is offered twice', () => {
    const night = staff({ workingHours: [{ weekday: 7, start: '00:00', end: '06:00' }] });
    const slots = slotsFor({ date: '2026-10-25', staff: [night] });
    // 00:00+02:00 to 06:00+01:00 is seven real hours → 25 slots.
    expect(slots).toHaveLength(25);
    expect(slots.filter((s) => s.start.includes('T02:00')).map((s) => s.start)).toEqual([
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
    ]);
    const daytime = slotsFor({ date: '2026-10-25', staff: [staff({ workingHours: [{ weekday: 7, start: '09:00', end: '10:00' }] })] });
    expect(daytime.map((s) => s.start)).toEqual(['2026-10-25T09:00:00+01:00']);
  });

  test('when a US salon changes to summer time (8 March 2026), then opening hours keep their local times', () => {
    const slots = slotsFor({
      date: '2026-03-08',
      timezone: 'America/New_York',
      staff: [staff({ workingHours: [{ weekday: 7, start: '09:00', end: '10:00' }] })],
    });
    expect(slots.map((s) => s.start)).toEqual(['2026-03-08T09:00:00-04:00']);
  });
});

describe('computeSlots onlyAt (who works at one start)', () => {
  test.each([
    ['an ordinary Monday with a break, time off, a hold and part of the day past', monday, MADRID],
    ['the DST jump forward (Madrid, 29 March 2026)', '2026-03-29', MADRID],
    ['the DST jump back (Madrid, 25 October 2026)', '2026-10-25', MADRID],
    ['a US salon changing to summer time (8 March 2026)', '2026-03-08', 'America/New_York'],
  ])('on %s, then every start of the day (each minute) gives exactly the whole day’s slots at that start', (_, date, timezone) => {
    const { start: dayStart, end: dayEnd } = localDayRange(date, timezone);
    const everyDay = [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => [
      { weekday, start: '00:00', end: '06:00' },
      { weekday, start: '09:00', end: '13:00' },
      { weekday, start: '15:00', end: '20:00' },
    ]);
    const team = [
      staff({ id: 'ana', workingHours: everyDay, breaks: [{ weekday: 1, start: '11:00', end: '11:30' }] }),
      staff({ id: 'bea', workingHours: everyDay, timeOff: [{ from: new Date(dayStart.getTime() + 16 * 3_600_000), to: dayEnd }] }),
      staff({ id: 'cai', workingHours: [] }),
    ];
    const req = {
      date,
      timezone,
      durationMin: 45,
      bufferMin: 10,
      staff: team,
      busy: new Map([['ana', [{ start: new Date(dayStart.getTime() + 10 * 3_600_000), end: new Date(dayStart.getTime() + 10.5 * 3_600_000) }]]]),
      now: new Date(dayStart.getTime() + 3 * 3_600_000),
      stepMin: 5,
    };
    const whole = computeSlots(req);
    expect(whole.length).toBeGreaterThan(100); // the day has slots to compare with
    const byStart = new Map<number, typeof whole>();
    for (const slot of whole) {
      const t = new Date(slot.start).getTime();
      byStart.set(t, [...(byStart.get(t) ?? []), slot]);
    }
    let matched = 0;
    for (let t = dayStart.getTime() - 3_600_000; t <= dayEnd.getTime(); t += 60_000) {
      const expected = byStart.get(t) ?? [];
      matched += expected.length;
      expect(computeSlots({ ...req, onlyAt: new Date(t) })).toEqual(expected);
    }
    expect(matched).toBe(whole.length); // every slot of the day was asked for once
  });
});

describe('local days and granules', () => {
  test('a DST day lasts 23 or 25 hours', () => {
    const hours = (d: string) => {
      const r = localDayRange(d, MADRID);
      return (r.end.getTime() - r.start.getTime()) / 3_600_000;
    };
    expect([hours('2026-03-29'), hours('2026-06-01'), hours('2026-10-25')]).toEqual([23, 24, 25]);
  });

  test('granules cover a range and merge back into it', () => {
    const range = { start: new Date('2026-06-01T10:00:00Z'), end: new Date('2026-06-01T10:55:00Z') };
    const granules = granulesOf(range);
    expect(granules).toHaveLength(11);
    expect(rangesOfGranules([...granules].reverse())).toEqual([range]);
    expect(rangesOfGranules([new Date('2026-06-01T10:00:00Z'), new Date('2026-06-01T11:00:00Z')])).toHaveLength(2);
  });
});

describe('workingRanges', () => {
  test('working hours less breaks and time off, as instants of the local day', () => {
    const ranges = workingRanges('2026-03-10', 'Europe/Madrid', {
      id: 's1',
      workingHours: [{ weekday: 2, start: '09:00', end: '18:00' }],
      breaks: [{ weekday: 2, start: '13:00', end: '14:00' }],
      timeOff: [{ from: new Date('2026-03-10T16:00:00Z'), to: new Date('2026-03-11T00:00:00Z') }],
    });
    expect(ranges.map((r) => [r.start.toISOString(), r.end.toISOString()])).toEqual([
      ['2026-03-10T08:00:00.000Z', '2026-03-10T12:00:00.000Z'],
      ['2026-03-10T13:00:00.000Z', '2026-03-10T16:00:00.000Z'],
    ]);
  });
});
