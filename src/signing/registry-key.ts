import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keyFingerprint } from '../domain/signing/signature-trust';

export interface RegistryKeyConfig {
  /** PEM file of the registry's ECDSA P-256 private key (SIGNING_KEY_FILE). */
  readonly keyFile: string;
  /** Create it when missing (the default: a development key under .data). */
  readonly generate: boolean;
}

export interface RegistryKey {
  privateKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

/**
 * The key the registry signs published versions with, read once. A missing file is generated when allowed, written
 * whole then hard-linked into place (a link never replaces a file): two processes starting together end up with the
 * same key, the one linked first, and neither ever reads a half-written file.
 */
export class RegistryKeyStore {
  private loaded: Promise<RegistryKey> | null = null;

  constructor(private readonly config: RegistryKeyConfig) {}

  key(): Promise<RegistryKey> {
    this.loaded ??= this.load().catch((error: unknown) => {
      this.loaded = null;
      throw error;
    });
    return this.loaded;
  }

  private async load(): Promise<RegistryKey> {
    const pem = await this.readOrCreate();
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`${this.config.keyFile} must hold an ECDSA P-256 private key (openssl ecparam -name prime256v1 -genkey -noout)`);
    }
    const publicKey = createPublicKey(privateKey);
    return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), fingerprint: keyFingerprint(publicKey) };
  }

  private async readOrCreate(): Promise<string> {
    try {
      return await readFile(this.config.keyFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !this.config.generate) throw error;
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await mkdir(path.dirname(this.config.keyFile), { recursive: true, mode: 0o700 });
    const partial = `${this.config.keyFile}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(partial, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      await link(partial, this.config.keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(partial, { force: true });
    }
    return readFile(this.config.keyFile, 'utf8');
  }
}
