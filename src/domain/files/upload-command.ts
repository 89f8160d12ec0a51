/** Where a generated command sends its files. */
export interface UploadTarget {
  /** `<base>/files/versions/<id>`. */
  versionUrl: string;
  token: string;
  mode: 'FILE' | 'FOLDER';
}

/** POSIX shell single quotes: the token and URLs go into commands users paste. */
function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `urlpath "a b/ü#?.bin"` → `a%20b/%C3%BC%23%3F.bin`: every byte of a path but unreserved characters and the slashes
 * percent-encoded, with POSIX tools only (od, awk), so names with spaces, `#`, `?`, brackets or any script reach the
 * server as they are on disk. `-g` keeps curl from reading brackets as its URL globs.
 */
const URL_ENCODE =
  `urlpath() { printf '%s' "$1" | od -An -v -tx1 | awk 'BEGIN { for (n = 0; n < 256; n++) { c = sprintf("%c", n); h = sprintf("%02x", n); ` +
  `e[h] = (n == 47 || (n < 128 && c ~ /^[A-Za-z0-9._~-]$/)) ? c : "%" toupper(h) } } { for (i = 1; i <= NF; i++) printf "%s", e[$i] }'; }`;

/**
 * curl, as LLMOS prints it: FILE uploads `$FILE` under its base name, FOLDER every file under `$DIR` with its
 * relative path; both end by submitting the version (verification and scanning start then).
 */
export function curlCommand({ versionUrl, token, mode }: UploadTarget): string {
  const auth = `-H "Authorization: Bearer $MODELHUB_UPLOAD_TOKEN"`;
  const submit = `curl --fail -sS -X POST ${auth} ${quote(`${versionUrl}/submit`)}`;
  const head = [`export MODELHUB_UPLOAD_TOKEN=${quote(token)}`, URL_ENCODE];
  if (mode === 'FILE') {
    return [...head, `FILE=./model.safetensors   # the file to upload`, `curl --fail -sS -g -T "$FILE" ${auth} ${quote(`${versionUrl}/upload/`)}"$(urlpath "$(basename "$FILE")")" && \\`, `  ${submit}`].join('\n');
  }
  return [
    ...head,
    `DIR=./my-model   # the folder to upload`,
    `(cd "$DIR" && find . -type f | sed 's|^\\./||' | while IFS= read -r f; do`,
    `  curl --fail -sS -g -o /dev/null -T "./$f" ${auth} ${quote(`${versionUrl}/upload/`)}"$(urlpath "$f")" || exit 1; echo "uploaded $f"`,
    `done) && \\`,
    `  ${submit}`,
  ].join('\n');
}

/** Python 3 with the standard library only (bodies stream from the open file). */
export function pythonCommand({ versionUrl, token, mode }: UploadTarget): string {
  const pick = mode === 'FILE' ? `PATH = "./model.safetensors"  # the file to upload` : `PATH = "./my-model"  # the folder to upload`;
  return [
    `python3 - <<'PY'`,
    `import os, urllib.parse, urllib.request`,
    `BASE, TOKEN = ${JSON.stringify(versionUrl)}, ${JSON.stringify(token)}`,
    pick,
    `def send(url, method, body=None, size=0):`,
    `    headers = {"Authorization": "Bearer " + TOKEN, "Content-Length": str(size)}`,
    `    urllib.request.urlopen(urllib.request.Request(url, data=body, method=method, headers=headers)).read()`,
    `files = [(PATH, os.path.basename(PATH))] if os.path.isfile(PATH) else [`,
    `    (os.path.join(d, n), os.path.relpath(os.path.join(d, n), PATH).replace(os.sep, "/")) for d, _, ns in os.walk(PATH) for n in ns]`,
    `for full, rel in files:`,
    `    with open(full, "rb") as f:`,
    `        send(BASE + "/upload/" + urllib.parse.quote(rel), "PUT", f, os.path.getsize(full))`,
    `    print("uploaded", rel)`,
    `send(BASE + "/submit", "POST")`,
    `print("submitted")`,
    `PY`,
  ].join('\n');
}
