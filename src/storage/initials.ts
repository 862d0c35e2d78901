// What today's list shows of a signer: their initials, never a name. Kept in clear on the row (and
// made for rows saved before sealing, device database version 4), so it lives apart from the save path.

/** "A. S.": the first letter of the given and the family name. */
export function initialsOf(signer: { givenName: string; familyName: string }): string {
  const first = (name: string) => Array.from(name.trim())[0]?.toLocaleUpperCase() ?? '';
  return [signer.givenName, signer.familyName]
    .map(first)
    .filter(Boolean)
    .map((letter) => `${letter}.`)
    .join(' ');
}
