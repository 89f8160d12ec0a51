/**
 * What a helper process we start (the embedded PostgreSQL, the Temporal dev server, clamd, freshclam) may see of our
 * environment: where programs, libraries, locale data and temporary space are, and proxies. Never the service's own
 * settings, whose secrets (JWT keys, SECRETS_KEY, HF_TOKEN, S3 credentials, DATABASE_URL's password) would otherwise be
 * readable in /proc/<pid>/environ by anything running as the helper's user, and in its crash reports.
 */
const PASSED = /^(PATH|HOME|USER|LOGNAME|SHELL|TERM|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|TEMP|TMP|LD_LIBRARY_PATH|SSL_CERT_FILE|SSL_CERT_DIR|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$/;

export function helperEnv(extra: Readonly<Record<string, string>> = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) if (value !== undefined && PASSED.test(name)) env[name] = value;
  return { ...env, ...extra };
}
