import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { takeTokenFromFragment } from './lib/session';
import './styles.css';

// Before anything renders: a token in the fragment leaves the address bar at once.
takeTokenFromFragment();

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
