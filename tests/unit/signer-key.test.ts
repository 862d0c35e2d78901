import { describe, expect, it } from 'vitest';
import { foldStreet, repeatSignerKey, signerKeyOf } from '../../src/shared/signer-key';

const rosa = { givenName: 'Rosa María', familyName: 'Núñez', street: '1200 North Elm Street, Apt. 4', zip: '43215' };

describe('the repeat-signer key', () => {
  it('sees through accents, case, spacing and punctuation', () => {
    expect(repeatSignerKey({ ...rosa, givenName: '  ROSA   MARIA ', familyName: 'nunez' })).toBe(repeatSignerKey(rosa));
    expect(repeatSignerKey({ ...rosa, familyName: 'Nu\u0301n\u0303ez' })).toBe(repeatSignerKey(rosa));
  });

  it('reads USPS street suffix, direction and unit abbreviations as the words they stand for', () => {
    for (const street of ['1200 N Elm St #4', '1200 N. Elm St., Unit 4', '1200 NORTH ELM STREET APARTMENT 4', '1200 north elm st. ste 4']) {
      expect(repeatSignerKey({ ...rosa, street }), street).toBe(repeatSignerKey(rosa));
    }
    expect(foldStreet('500 West Lincoln Boulevard')).toBe('500 w lincoln blvd');
    expect(foldStreet('77 Oak Avenue')).toBe(foldStreet('77 Oak Ave.'));
    expect(foldStreet('9 Fifth Avenue')).toBe(foldStreet('9 5th Ave'));
  });

  it('takes ZIP+4 and the 5-digit ZIP as the same place', () => {
    expect(repeatSignerKey({ ...rosa, zip: '43215-0042' })).toBe(repeatSignerKey(rosa));
  });

  it('keeps different signers apart: another house, another unit, another ZIP, another name', () => {
    expect(repeatSignerKey({ ...rosa, street: '1202 North Elm Street, Apt. 4' })).not.toBe(repeatSignerKey(rosa));
    expect(repeatSignerKey({ ...rosa, street: '1200 North Elm Street, Apt. 5' })).not.toBe(repeatSignerKey(rosa));
    expect(repeatSignerKey({ ...rosa, street: '1200 South Elm Street, Apt. 4' })).not.toBe(repeatSignerKey(rosa));
    expect(repeatSignerKey({ ...rosa, zip: '43216' })).not.toBe(repeatSignerKey(rosa));
    expect(repeatSignerKey({ ...rosa, givenName: 'Rosa' })).not.toBe(repeatSignerKey(rosa));
  });

  it('handles Han names as typed (no case, no accents to fold)', () => {
    const wang = { givenName: '芳', familyName: '王', street: '88 Grand Street', zip: '10002' };
    expect(repeatSignerKey({ ...wang, givenName: ' 芳 ', street: '88 Grand St' })).toBe(repeatSignerKey(wang));
    expect(repeatSignerKey({ ...wang, givenName: '方' })).not.toBe(repeatSignerKey(wang));
  });

  it("leaves the tablet's stored same-signer key as it was", () => {
    expect(signerKeyOf({ givenName: ' Ada ', familyName: 'OKAFOR', street: '12 Oak St.', zip: '43215-1234' })).toBe('ada|okafor|12 oak st|43215');
    expect(signerKeyOf({ givenName: 'Ada', familyName: '', street: '12 Oak St.', zip: '43215' })).toBeUndefined();
  });
});
