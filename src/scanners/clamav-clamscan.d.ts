/** The part of the `clamscan` package (2.4, untyped) that the ClamAV client uses. */
declare module 'clamscan' {
  import type { Transform } from 'node:stream';

  interface ClamdscanSettings {
    socket?: string | false;
    host?: string | false;
    port?: number | false;
    timeout?: number;
    localFallback?: boolean;
    path?: string | null;
    active?: boolean;
    bypassTest?: boolean;
  }

  interface NodeClamOptions {
    preference?: 'clamdscan' | 'clamscan';
    debugMode?: boolean;
    clamdscan?: ClamdscanSettings;
    clamscan?: { active?: boolean; path?: string | null };
  }

  export interface ScanResult {
    isInfected: boolean | null;
    viruses: string[];
    file: string | null;
    resultString: string;
    timeout: boolean;
  }

  class NodeClam {
    init(options?: NodeClamOptions): Promise<NodeClam>;
    getVersion(): Promise<string>;
    /** Streams to clamd (INSTREAM); not used here: its terminator can overtake queued chunks (see clamav-instream.ts). */
    passthrough(): Transform;
  }

  export default NodeClam;
}
