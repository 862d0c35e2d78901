import { describe, expect, it } from 'vitest';
import { checkSigner, emptySignerInput } from '../../src/capture/signer-form';
import { BatchRequestSchema, check, SignatureRecordSchema, SignerDetailsSchema } from '../../src/shared/schema';
import { sampleDetails, sampleRecord, sampleSigner } from '../support/records';

const fields = { deviceId: 'd1', driveId: 'drive1', petitionVersion: 'b'.repeat(64), seq: 1 };

describe('the shared schema', () => {
  it('accepts a complete record and keeps nothing it does not know', async () => {
    const record = await sampleRecord(fields);
    const result = check(SignatureRecordSchema, { ...record, state: 'pending', secret: 'x' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.keys(result.value).sort()).toEqual(Object.keys(record).sort());
  });

  it('names the field that is wrong', async () => {
    const record = await sampleRecord(fields);
    const cases: [unknown, string][] = [
      [{ ...record, place: { ...record.place, state: 'XX' } }, 'place.state'],
      [{ ...record, place: { ...record.place, city: '   ' } }, 'place.city'],
      [{ ...record, sealed: 'not sealed!' }, 'sealed'],
      [{ ...record, sealed: undefined }, 'sealed'],
      [{ ...record, seq: 0 }, 'seq'],
      [{ ...record, seq: '3' }, 'seq'],
      [{ ...record, id: 'not-a-uuid' }, 'id'],
      [{ ...record, capturedAt: 'yesterday' }, 'capturedAt'],
      [{ ...record, petition: { ...record.petition, language: 'fr' } }, 'petition.language'],
    ];
    for (const [input, field] of cases) {
      const result = check(SignatureRecordSchema, input);
      expect(result.ok, field).toBe(false);
      if (!result.ok) expect(result.problems.map((p) => p.field)).toContain(field);
    }
  });

  it("names the wrong field of a signer's details, as the form expects it (what the tablet checks before sealing)", () => {
    const details = sampleDetails(1);
    expect(check(SignerDetailsSchema, details).ok).toBe(true);
    const cases: [unknown, string][] = [
      [{ ...details, signer: { ...details.signer, zip: '4321' } }, 'signer.zip'],
      [{ ...details, signer: { ...details.signer, state: 'XX' } }, 'signer.state'],
      [{ ...details, signer: { ...details.signer, givenName: '   ' } }, 'signer.givenName'],
      [{ ...details, signer: { ...details.signer, email: 'not-an-email' } }, 'signer.email'],
      [{ ...details, autograph: 'garbage!' }, 'autograph'],
      [{ ...details, location: { latitude: 91, longitude: 0, accuracy: 5 } }, 'location.latitude'],
    ];
    for (const [input, field] of cases) {
      const result = check(SignerDetailsSchema, input);
      expect(result.ok, field).toBe(false);
      if (!result.ok) expect(result.problems.map((p) => p.field)).toContain(field);
    }
  });

  it('bounds a batch and checks the totals every sync reports', () => {
    const totals = { capturedThrough: 3, waiting: 0, appVersion: '0.1.0' };
    expect(check(BatchRequestSchema, { protocol: 2, records: [], totals }).ok).toBe(true);
    expect(check(BatchRequestSchema, { protocol: 2, records: new Array(501).fill({}), totals }).ok).toBe(false);
    const noTotals = check(BatchRequestSchema, { protocol: 2, records: [] });
    expect(noTotals.ok).toBe(false);
    if (!noTotals.ok) expect(noTotals.problems[0]?.field).toBe('totals');
  });
});

describe('the signer form', () => {
  it('says which fields are missing before anything is saved', () => {
    const result = checkSigner(emptySignerInput());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['city', 'familyName', 'givenName', 'state', 'street', 'zip']);
  });

  it('treats an empty email as no email and trims what was typed', () => {
    const s = sampleSigner(2);
    const result = checkSigner({ ...s, givenName: '  Ada ', email: '', state: 'il' });
    expect(result).toEqual({ ok: true, signer: { ...s, email: undefined } });
  });
});

describe('problems never quote what was sent', () => {
  it("says what was expected, not the signer's value (valibot's default messages quote it)", async () => {
    const details = sampleDetails(1);
    const checked = check(SignerDetailsSchema, { ...details, signer: { ...details.signer, givenName: { first: 'Rosalind' }, familyName: ['Delgado-Ruiz'] } });
    expect(checked.ok).toBe(false);
    const text = JSON.stringify(checked);
    expect(text).not.toContain('Rosalind');
    expect(text).not.toContain('Delgado-Ruiz');
    expect(checked.ok ? [] : checked.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['signer.givenName', 'signer.familyName']));
    expect(JSON.stringify(check(SignatureRecordSchema, 'Rosalind Delgado'))).not.toContain('Rosalind');
  });
});
