// The repeat-signer warning: the same name and address already signed on this tablet. A warning,
// never a block (two people may share a name and an address).
import { useRef, useState } from 'preact/hooks';
import type { SignerField, SignerInput } from '../../capture/signer-form';
import { findSameSigner, type SameSigner } from '../../storage/signatures';

/** The fields the lookup reads: it runs when one of them is left, and a change to one forgets the answer. */
export const SAME_SIGNER_FIELDS: readonly SignerField[] = ['givenName', 'familyName', 'street', 'zip'];

export interface SameSignerCheck {
  found: SameSigner | undefined;
  /** Look `input` up (when a field is left). An answer for input that has changed since is dropped. */
  lookUp(input: SignerInput): Promise<void>;
  /** A field the lookup reads changed, or the form was emptied. */
  forget(): void;
}

export function useSameSigner(): SameSignerCheck {
  const [found, setFound] = useState<SameSigner>();
  /** The input of the latest lookup: an older lookup answering late must not show its answer. */
  const asked = useRef<SignerInput>(undefined);
  return {
    found,
    async lookUp(input) {
      if (SAME_SIGNER_FIELDS.some((f) => input[f].trim() === '')) return;
      asked.current = input;
      const answer = await findSameSigner(input);
      if (asked.current === input) setFound(answer);
    },
    forget() {
      asked.current = undefined;
      setFound(undefined);
    },
  };
}
