import { ConflictError, ValidationError } from '../common/domain-error';

/** From INGESTING on, a version's files are what was verified: a change is a new version. */
export class FilesImmutableError extends ConflictError {
  constructor(version: string, status: string) {
    super(`Version ${version} is ${status}: its files can only change while it is DRAFT; create a new version instead`, { status });
  }
}

/**
 * A one-request upload whose body stopped before its end (a chunked body without its last, empty chunk; a client
 * killed mid-stream): nothing of it is stored, since its end cannot be told from a cut.
 */
export class UploadCutError extends ValidationError {
  constructor(path: string, received: number) {
    super('body', `the upload of "${path}" was cut after ${received} bytes, before its body ended; nothing was stored`);
  }
}
