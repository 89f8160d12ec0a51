import { ConflictError } from '../common/domain-error';

/** From INGESTING on, a version's files are what was verified: a change is a new version. */
export class FilesImmutableError extends ConflictError {
  constructor(version: string, status: string) {
    super(`Version ${version} is ${status}: its files can only change while it is DRAFT; create a new version instead`, { status });
  }
}
