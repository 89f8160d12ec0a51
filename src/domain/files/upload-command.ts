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
 * curl, as LLMOS prints it: FILE uploads `$FILE` under its base name, FOLDER every file under `$DIR` with its
 * relative path; both end by submitting the version (verification and scanning start then).
 */
export function curlCommand({ versionUrl, token, mode }: UploadTarget): string {
  const auth = `-H "Authorization: Bearer $MODELHUB_UPLOAD_TOKEN"`;
  const submit = `curl --fail -sS -X POST ${auth} ${quote(`${versionUrl}/submit`)}`;
  const head = [`export MODELHUB_UPLOAD_TOKEN=${quote(token)}`];
  if (mode === 'FILE') {
    return [...head, `FILE=./model.safetensors   # the file to upload`, `curl --fail -sS -T "$FILE" ${auth} ${quote(`${versionUrl}/upload/`)}"$(basename "$FILE")" && \\`, `  ${submit}`].join('\n');
  }
  return [
    ...head,
    `DIR=./my-model   # the folder to upload`,
    `(cd "$DIR" && find . -type f | sed 's|^\\./||' | while IFS= read -r f; do`,
    `  curl --fail -sS -o /dev/null -T "$f" ${auth} ${quote(`${versionUrl}/upload/`)}"$f" || exit 1; echo "uploaded $f"`,
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
