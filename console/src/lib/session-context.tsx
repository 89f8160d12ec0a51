import { createContext, useContext } from 'react';
import type { ApiClient } from './client';
import type { Identity } from './session';

export interface Session {
  token: string;
  identity: Identity | null;
  api: ApiClient;
  signOut(reason?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
