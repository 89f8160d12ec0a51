import { useState } from 'react';

/** Paste a token (what `npm run -s token -- --role viewer --sub you` prints, or your identity provider's JWT). */
export function SignInPage({ refusal, onToken }: { refusal: string | null; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  return (
    <main id="main" className="sign-in">
      <h1>ModelHub console</h1>
      <p>Sign in with an access token. It stays in this browser tab only and is forgotten when the tab closes.</p>
      {refusal ? (
        <p className="error" role="alert">
          {refusal}
        </p>
      ) : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim()) onToken(value);
        }}
      >
        <label htmlFor="token">Access token</label>
        <textarea id="token" name="token" rows={4} value={value} onChange={(event) => setValue(event.target.value)} autoComplete="off" spellCheck={false} required />
        <button type="submit">Sign in</button>
      </form>
      <p className="muted">
        A link of the form <code>/console/#token=…</code> signs in too; the token is taken out of the address at once.
      </p>
    </main>
  );
}
