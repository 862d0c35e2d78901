// Who a signer is, for finding the same signer twice. The tablet's same-signer warning and the
// delivery's repeat-signer check both start from here, so a rule about "the same signer" lives once.
//
// `signerKeyOf` is what the tablet stores in its index (device database version 3): changing its
// output would strand every key already stored, so it stays as it is. `repeatSignerKey` is the
// delivery's stricter sameness: accents, case, spacing, punctuation, USPS street abbreviations and
// ZIP+4 against a 5-digit ZIP do not hide a repeat.

const sameText = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.,#]/g, '');

/**
 * A signer as the same-signer warning compares them: name and street in any case and spacing,
 * without `.,#`, and the 5-digit ZIP. Undefined when a part is missing.
 */
export function signerKeyOf(signer: { givenName: string; familyName: string; street: string; zip: string }): string | undefined {
  const parts = [signer.givenName, signer.familyName, signer.street].map(sameText);
  const zip = signer.zip.trim().slice(0, 5);
  return parts.every(Boolean) && zip ? `${parts.join('|')}|${zip}` : undefined;
}

/** Letters and digits only, without accents, lower case, single spaces. Han characters pass through. */
export function foldText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// USPS Publication 28, appendix C1 (street suffixes, the common ones) and the directionals; unit
// designators all read as one word, so "Apt 4", "Unit 4" and "#4" agree.
const STREET_WORDS: Record<string, string> = {
  alley: 'aly',
  avenue: 'ave',
  av: 'ave',
  avn: 'ave',
  boulevard: 'blvd',
  boul: 'blvd',
  circle: 'cir',
  circ: 'cir',
  court: 'ct',
  crt: 'ct',
  cove: 'cv',
  crescent: 'cres',
  drive: 'dr',
  drv: 'dr',
  expressway: 'expy',
  freeway: 'fwy',
  highway: 'hwy',
  hiway: 'hwy',
  lane: 'ln',
  parkway: 'pkwy',
  pkway: 'pkwy',
  place: 'pl',
  plaza: 'plz',
  road: 'rd',
  route: 'rte',
  square: 'sq',
  street: 'st',
  str: 'st',
  strt: 'st',
  terrace: 'ter',
  trail: 'trl',
  turnpike: 'tpke',
  way: 'way',
  point: 'pt',
  ridge: 'rdg',
  run: 'run',
  heights: 'hts',
  hill: 'hl',
  loop: 'loop',
  path: 'path',
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
  apartment: 'unit',
  apt: 'unit',
  suite: 'unit',
  ste: 'unit',
  unit: 'unit',
  number: 'unit',
  no: 'unit',
  first: '1st',
  second: '2nd',
  third: '3rd',
  fourth: '4th',
  fifth: '5th',
  sixth: '6th',
  seventh: '7th',
  eighth: '8th',
  ninth: '9th',
  tenth: '10th',
};

/** A street with USPS abbreviations applied to every word: "12 North Oak Street, Apt. 4" → "12 n oak st unit 4". */
export function foldStreet(street: string): string {
  const words = foldText(street.replace(/#\s*/g, ' unit ')).split(' ');
  return words
    .filter(Boolean)
    .map((w) => STREET_WORDS[w] ?? w)
    .join(' ');
}

/** The same signer, however the name and address were typed: folded name, folded street, 5-digit ZIP. */
export function repeatSignerKey(signer: { givenName: string; familyName: string; street: string; zip: string }): string {
  const name = foldText(`${signer.givenName} ${signer.familyName}`);
  const zip = signer.zip.replace(/\D/g, '').slice(0, 5);
  return `${name}|${foldStreet(signer.street)}|${zip}`;
}
