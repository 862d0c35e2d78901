// The delivery package's options and answers: what the organizer chooses on the dashboard's Deliver
// panel, what the preview shows before building, and what a build returns. The dashboard and the
// server both use these (src/server/delivery builds the package).
import * as v from 'valibot';
import { US_STATES } from './us-states';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const day = (label: string) => v.pipe(v.string(`${label} must be a date`), v.regex(DAY, `${label} must be a date like 2026-11-27`));

export const REPEAT_DECISIONS = ['include', 'exclude'] as const;
export type RepeatDecision = (typeof REPEAT_DECISIONS)[number];

/**
 * What goes to the recipient. Name, city, state, ZIP and date always go in; street and email only
 * when ticked. `from`/`to` are the drive's local days, inclusive. `perState` makes one package per
 * state. `repeatOverrides` overrides, per signature id, the default that the first signature of a
 * repeat signer counts and later ones do not.
 */
export const DeliveryOptionsSchema = v.object({
  fields: v.object({ street: v.boolean('fields.street must be true or false'), email: v.boolean('fields.email must be true or false') }),
  from: v.optional(day('from')),
  to: v.optional(day('to')),
  states: v.optional(v.pipe(v.array(v.picklist(US_STATES, 'Choose US states')), v.maxLength(US_STATES.length))),
  cities: v.optional(v.pipe(v.array(v.pipe(v.string(), v.trim(), v.nonEmpty('A city is empty'), v.maxLength(100))), v.maxLength(1000))),
  petitionVersions: v.optional(v.pipe(v.array(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'Not a petition version'))), v.maxLength(1000))),
  perState: v.boolean('perState must be true or false'),
  repeatOverrides: v.optional(v.record(v.pipe(v.string(), v.maxLength(64)), v.picklist(REPEAT_DECISIONS, 'A repeat decision is include or exclude'))),
});
export type DeliveryOptions = v.InferOutput<typeof DeliveryOptionsSchema>;

export const EXCLUSION_REASONS = ['voided', 'rejected', 'conflict', 'repeat', 'unreadable'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** Who an excluded signature was, for the organizer's review (never sent to the recipient). */
export interface ExcludedSigner {
  /** The record id (the signature's id; for a rejection or conflict, the refused record's id where readable). */
  id: string | null;
  /** Name and place, where the server holds them (a rejected record's are not kept). */
  name: string | null;
  city: string | null;
  state: string | null;
  /** When signed (ISO-8601 UTC), where known. */
  capturedAt: string | null;
  /** Why, in words: the void's reason, the rejection's message, the conflict's code. */
  detail: string;
}

export interface RepeatExclusion extends ExcludedSigner {
  id: string;
  /** The signature this one repeats: the first by the same signer that counts. */
  repeatOf: string;
}

export interface DeliveryExclusions {
  voided: ExcludedSigner[];
  rejected: ExcludedSigner[];
  conflict: ExcludedSigner[];
  /** Later signatures of a signer who signed before; an override `include` delivers one. */
  repeat: RepeatExclusion[];
  /**
   * Records whose sealed details do not open with the drive's key, fail the shared schema, or name
   * another city or state than they were counted under: never delivered (the name is not known).
   */
  unreadable: ExcludedSigner[];
}

/** A delivered signer whose name no embedded font can draw: printed as a note, listed in the campaign's report. */
export interface UnrenderableName {
  id: string;
  /** The characters no font has, as code points like U+1F600. */
  missing: string[];
}

export interface DeliveryPackagePlan {
  /** Set when the delivery makes one package per state. */
  state?: string;
  signatures: number;
  pages: number;
}

export interface DeliveryPreview {
  driveId: string;
  /** Signatures that will be delivered, and petition sheet pages, across every package. */
  signatures: number;
  pages: number;
  packages: DeliveryPackagePlan[];
  /** Delivered signatures per state, sorted by state. */
  perState: { state: string; signatures: number }[];
  excluded: DeliveryExclusions;
  unrenderable: UnrenderableName[];
}

export interface DeliveryProgress {
  pagesDone: number;
  pagesTotal: number;
  signaturesDone: number;
  signaturesTotal: number;
}

export interface DeliveryPackageFile {
  /** File name inside the output folder, e.g. `fieldpen-demo-2026-11-30.zip` or `…-OH.zip`. */
  file: string;
  state?: string;
  /** SHA-256 (hex) of the whole ZIP. */
  sha256: string;
  bytes: number;
  signatures: number;
  pages: number;
}

export interface DeliveryCounts {
  signatures: number;
  pages: number;
  perState: { state: string; signatures: number }[];
}

export interface DeliveryBuildResult {
  packages: DeliveryPackageFile[];
  /** File name (in the output folder) of the campaign's exclusions report CSV; never inside a bag. */
  reportFile: string;
  counts: DeliveryCounts;
  /** How many were left out, per reason, and how many names were printed as a note. */
  excluded: Record<ExclusionReason, number> & { unrenderable: number };
}
