// An ARM error answer: the HTTP status and ARM's `{"error":{"code","message"}}` body.
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArmError';
  }
}
