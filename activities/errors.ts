/**
 * Errors a step throws. Steps know nothing of Temporal; the recorder turns a
 * `PermanentStepError` into a non-retryable failure of the same type, and lets every
 * other error be retried with backoff.
 */
export class PermanentStepError extends Error {
  constructor(
    readonly type: 'ResourceConflict' | 'InvalidTenant' | 'InjectedPermanentFault',
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** A resource exists under the tenant's name but carries no mark of belonging to it. */
export function resourceConflict(message: string): PermanentStepError {
  return new PermanentStepError('ResourceConflict', message);
}
