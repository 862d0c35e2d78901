// The same signer more than once, across tablets, cities and days (src/shared/signer-key.ts says
// what "the same" means). Memory: one short hash and one id per distinct signer, never the rows, in
// typed arrays outside V8's heap (24 bytes a signer at most twice over; a Map of numbers to id
// strings held about 100 bytes a signer in the heap, which the build's heap grows by again before it
// collects: tests/bench/delivery.bench.ts, delivery_100k_peak_rss_mb). 52 bits of hash make a false
// repeat among 100,000 signers a one-in-a-million chance.
import { createHash } from 'node:crypto';
import { repeatSignerKey } from '../../shared/signer-key';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_BYTES = 16;

export class RepeatSigners {
  /** Open addressing: slot → key + 1 (0: empty), and the first id's 16 bytes. */
  private keys = new Float64Array(1024);
  private ids = new Uint8Array(1024 * ID_BYTES);
  private count = 0;
  /** Ids that are not lowercase UUIDs (none the schema lets in today), kept as they are. */
  private readonly oddIds = new Map<number, string>();

  /**
   * The id of this signer's first signature when this one repeats it, else undefined (and this
   * one becomes the first). Call in the order of signing.
   */
  repeatOf(id: string, signer: { givenName: string; familyName: string; street: string; zip: string }): string | undefined {
    const digest = createHash('sha256').update(repeatSignerKey(signer)).digest();
    const key = digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4);
    const slot = this.slotOf(key);
    if (this.keys[slot] !== 0) return this.idAt(slot);
    if (2 * (this.count + 1) > this.keys.length) {
      this.grow();
      return this.repeatOf(id, signer);
    }
    this.keys[slot] = key + 1;
    this.count++;
    if (UUID.test(id)) Buffer.from(id.replaceAll('-', ''), 'hex').copy(this.ids, slot * ID_BYTES);
    else this.oddIds.set(slot, id);
    return undefined;
  }

  /** The key's slot, or the empty slot where it would go. */
  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    let slot = key % this.keys.length;
    while (this.keys[slot] !== 0 && this.keys[slot] !== key + 1) slot = (slot + 1) & mask;
    return slot;
  }

  private idAt(slot: number): string {
    const odd = this.oddIds.get(slot);
    if (odd !== undefined) return odd;
    const hex = Buffer.from(this.ids.subarray(slot * ID_BYTES, (slot + 1) * ID_BYTES)).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  private grow(): void {
    const { keys, ids, oddIds } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.ids = new Uint8Array(this.keys.length * ID_BYTES);
    const odd = [...oddIds.entries()];
    oddIds.clear();
    const moved = new Map(odd);
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] === 0) continue;
      const to = this.slotOf(keys[slot]! - 1);
      this.keys[to] = keys[slot]!;
      const oddId = moved.get(slot);
      if (oddId !== undefined) oddIds.set(to, oddId);
      else this.ids.set(ids.subarray(slot * ID_BYTES, (slot + 1) * ID_BYTES), to * ID_BYTES);
    }
  }
}
