import { describe, expect, it } from 'vitest';
import { checkInk } from '../../src/capture/autograph-ink';
import { checkSigner, emptySignerInput, type SignerInput } from '../../src/capture/signer-form';
import type { AutographPoint } from '../../src/shared/autograph-codec';
import { statesForZip, zipMatchesState } from '../../src/shared/zip-states';
import { US_STATES } from '../../src/shared/us-states';

const signer = (over: Partial<SignerInput> = {}): SignerInput => ({
  ...emptySignerInput(),
  givenName: 'Rosa',
  familyName: 'Delgado',
  street: '12 Oak Avenue',
  city: 'Columbus',
  state: 'OH',
  zip: '43215',
  ...over,
});

describe('ZIP code and state at the door', () => {
  it('knows the state of ZIP codes across the country', () => {
    const known: [string, string][] = [
      ['02108', 'MA'],
      ['10001', 'NY'],
      ['19104', 'PA'],
      ['20500', 'DC'],
      ['30303', 'GA'],
      ['33101', 'FL'],
      ['43215', 'OH'],
      ['60601', 'IL'],
      ['73301', 'TX'],
      ['75201', 'TX'],
      ['80202', 'CO'],
      ['85001', 'AZ'],
      ['88510', 'TX'],
      ['89501', 'NV'],
      ['90012', 'CA'],
      ['96813', 'HI'],
      ['96799', 'AS'],
      ['96910', 'GU'],
      ['97201', 'OR'],
      ['98101', 'WA'],
      ['99501', 'AK'],
      ['00901', 'PR'],
      ['00802', 'VI'],
      ['05501', 'MA'],
    ];
    for (const [zip, state] of known) expect(statesForZip(zip), zip).toContain(state);
  });

  it('maps every prefix to real state codes or to none', () => {
    for (let p = 0; p < 1000; p++) {
      for (const s of statesForZip(`${String(p).padStart(3, '0')}00`)) expect(US_STATES).toContain(s);
    }
  });

  it('does not contradict a ZIP it cannot place (military mail, unassigned prefixes)', () => {
    expect(statesForZip('09001')).toEqual([]);
    expect(zipMatchesState('09001', 'NY')).toBe(true);
    expect(zipMatchesState('96201', 'CA')).toBe(true);
  });

  it('refuses a ZIP code of another state, and says so on the ZIP field', () => {
    const result = checkSigner(signer({ state: 'CA', zip: '43215' }));
    expect(result).toEqual({ ok: false, errors: { zip: 'zipState' } });
    expect(checkSigner(signer({ state: 'ca', zip: '90012-1234' })).ok).toBe(true);
  });
});

describe('field problems as stable keys, for every language', () => {
  it('names each empty required field as required, and the state as to be chosen', () => {
    const result = checkSigner(emptySignerInput());
    expect(result).toEqual({
      ok: false,
      errors: { givenName: 'required', familyName: 'required', street: 'required', city: 'required', state: 'chooseState', zip: 'required' },
    });
  });

  it('asks for the email only where the drive requires it, and still checks its shape', () => {
    expect(checkSigner(signer()).ok).toBe(true);
    expect(checkSigner(signer(), ['email'])).toEqual({ ok: false, errors: { email: 'required' } });
    expect(checkSigner(signer({ email: '  ' }), ['email'])).toEqual({ ok: false, errors: { email: 'required' } });
    expect(checkSigner(signer({ email: 'rosa@' }), ['email'])).toEqual({ ok: false, errors: { email: 'emailShape' } });
    expect(checkSigner(signer({ email: 'rosa@example.org' }), ['email']).ok).toBe(true);
  });

  it('tells shape from length', () => {
    const result = checkSigner(signer({ zip: '4321', email: 'rosa@', familyName: 'x'.repeat(101) }));
    expect(result).toEqual({ ok: false, errors: { zip: 'zipShape', email: 'emailShape', familyName: 'tooLong' } });
  });
});

const line = (x0: number, y0: number, x1: number, y1: number, n = 20): AutographPoint[] =>
  Array.from({ length: n + 1 }, (_, i) => ({ x: x0 + ((x1 - x0) * i) / n, y: y0 + ((y1 - y0) * i) / n, time: i * 10, pressure: 0.5 }));
const wave = (x0: number, y0: number, width: number, height: number): AutographPoint[] =>
  Array.from({ length: 61 }, (_, i) => ({ x: x0 + (width * i) / 60, y: y0 + Math.sin(i / 4) * height, time: i * 12, pressure: 0.5 }));

describe('the minimum-ink check', () => {
  it('refuses nothing, a dot, a short line and one long straight line', () => {
    expect(checkInk([])).toBe('empty');
    expect(checkInk([[{ x: 100, y: 50, time: 0, pressure: 0.5 }]])).toBe('too-little');
    expect(checkInk([line(100, 50, 130, 52)])).toBe('too-little');
    expect(checkInk([line(20, 20, 400, 140)])).toBe('too-little');
  });

  it('takes a written signature and a signature of two strokes', () => {
    expect(checkInk([wave(40, 80, 300, 30)])).toBe('ok');
    expect(checkInk([line(40, 40, 40, 120), wave(60, 80, 200, 20)])).toBe('ok');
  });
});
