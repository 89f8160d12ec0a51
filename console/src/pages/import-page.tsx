import { type FormEvent, useState } from 'react';
import { useMutation } from 'urql';
import { ErrorNote } from '../components/bits';
import { modelHref, navigate } from '../lib/router';

const IMPORT = `mutation Import($input: ImportModelInput!) { importModel(input: $input) { id status model { name } version { version } } }`;

type Source = 'HUGGING_FACE' | 'URL' | 'DISK';

/** Starts an import (the API records it and answers at once); its model page then shows the progress live. */
export function ImportPage({ params }: { params: URLSearchParams }) {
  const [source, setSource] = useState<Source>('HUGGING_FACE');
  const [result, start] = useMutation<{ importModel: { id: string; model: { name: string }; version: { version: string } } }>(IMPORT);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const input = {
      name: text('name'),
      version: text('version') ?? '1.0.0',
      license: text('license'),
      tags: (text('tags') ?? '').split(',').map((t) => t.trim()).filter(Boolean),
      source:
        source === 'HUGGING_FACE' ? { sourceType: source, repoId: text('repoId'), revision: text('revision') ?? 'main' }
        : source === 'URL' ? { sourceType: source, url: text('url'), sha256: text('sha256') }
        : { sourceType: source, path: text('path') },
    };
    const answer = await start({ input });
    const op = answer.data?.importModel;
    if (op) navigate(modelHref(op.model.name, { version: op.version.version, operation: op.id }));
  };
  return (
    <>
      <h1>Import a model</h1>
      <form className="import-form" onSubmit={submit} aria-label="Import a model">
        <label>Model name<input name="name" required defaultValue={params.get('model') ?? ''} pattern="[a-z0-9][a-z0-9._-]*" title="lowercase letters, digits, dots, dashes" /></label>
        <label>Version<input name="version" defaultValue="1.0.0" required /></label>
        <label>License<input name="license" placeholder="Apache-2.0" /></label>
        <label>Tags<input name="tags" placeholder="instruct, code" /></label>
        <fieldset>
          <legend>Source</legend>
          {(['HUGGING_FACE', 'URL', 'DISK'] as Source[]).map((kind) => (
            <label className="check" key={kind}>
              <input type="radio" name="sourceType" value={kind} checked={source === kind} onChange={() => setSource(kind)} /> {kind === 'HUGGING_FACE' ? 'Hugging Face' : kind === 'URL' ? 'URL' : 'Disk path'}
            </label>
          ))}
        </fieldset>
        {source === 'HUGGING_FACE' ? (
          <>
            <label>Repository<input name="repoId" required placeholder="TinyLlama/TinyLlama-1.1B-Chat-v1.0" /></label>
            <label>Revision<input name="revision" defaultValue="main" /></label>
          </>
        ) : null}
        {source === 'URL' ? (
          <>
            <label>File URL<input name="url" type="url" required /></label>
            <label>sha256 (optional)<input name="sha256" pattern="[0-9a-fA-F]{64}" /></label>
          </>
        ) : null}
        {source === 'DISK' ? <label>Folder on the server (under DISK_IMPORT_ROOTS)<input name="path" required /></label> : null}
        <div className="actions"><button type="submit" disabled={result.fetching}>Start import</button></div>
        <ErrorNote error={result.error} what="Import" />
      </form>
    </>
  );
}
