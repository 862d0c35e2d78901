// A build that cannot go ahead, with a code the job can show the organizer. Never carries signer data.
export type DeliveryErrorCode = 'drive_not_found' | 'nothing_to_deliver' | 'signing_failed';

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
