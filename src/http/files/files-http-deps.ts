import type { Logger } from 'pino';
import type { Config } from '../../config/config';
import type { TokenVerifier } from '../../services/auth-tokens';
import type { Services } from '../../services/services';

/** What the file routes (uploads, downloads, the hub API) need from the app. */
export interface FilesHttpDeps {
  config: Config;
  services: Services;
  verifier: TokenVerifier;
  log: Logger;
}
