// The entry of a delivery's opener thread (opener-lane.ts says why): opens the pages of sealed rows
// it is sent with the drive's key and answers with the details or why a record is unreadable. Loads
// only the opener and the signer schema, not the build's packages. It runs at the priority of the
// thread that started it (Linux gives a new thread its creator's nice value): the build's.
import { parentPort, workerData } from 'node:worker_threads';
import { openSignatureWith, UnreadableSignature } from '../signer-details';
import { SignerOpener } from '../signer-open';
import type { OpenedRecord, OpenerThreadData, OpenRequest } from './opener-lane';

const data = workerData as OpenerThreadData;
const opener = SignerOpener.ofRaw(data.driveKey);
data.driveKey.fill(0);
const port = parentPort!;

port.on('message', ({ page, rows }: OpenRequest) => {
  const opened = rows.map((row): OpenedRecord => {
    try {
      const { signer, autograph } = openSignatureWith(opener, row);
      return { signer, autograph };
    } catch (e) {
      if (e instanceof UnreadableSignature) return { unreadable: e.reason };
      throw e;
    }
  });
  port.postMessage({ page, opened });
});
