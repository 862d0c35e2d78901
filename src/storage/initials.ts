// What today's list shows of a signer: their initials, never a name. Kept in clear on the row (and
// made for rows saved before sealing, device database version 4), so it lives apart from the save path.

/** "A. S.": the first letter of the given and the family name. */
export function initialsOf(signer: { givenName: string; familyName: string }): string {
  // The first code point (a Han name's first character, an accented capital), not the first UTF-16 unit.
  return [signer.givenName, signer.familyName]
    .map((name) => /\S/u.exec(name)?.[0]?.toUpperCase())
    .filter(Boolean)
    .map((letter) => `${letter}.`)
    .join(' ');
}
