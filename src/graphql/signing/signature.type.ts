import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum SignatureMethod {
  KEY = 'KEY',
  CERTIFICATE = 'CERTIFICATE',
}
registerEnumType(SignatureMethod, { name: 'SignatureMethod', description: 'How a model-signing signature names its signer: a bare EC key, or a certificate chaining to a trusted CA.' });

@ObjectType({ description: 'Who signed, as far as the signature says (checked against what the project trusts only when `valid`).' })
export class SignerIdentity {
  @Field(() => SignatureMethod, { nullable: true, description: 'Null when the signature could not even be read.' }) method!: SignatureMethod | null;
  @Field(() => String, { nullable: true, description: "KEY: sha256 of the signer's public key PEM (model_signing's key hint)." }) keyFingerprint!: string | null;
  @Field(() => String, { nullable: true, description: "CERTIFICATE: the signing certificate's subject." }) certificateSubject!: string | null;
  @Field(() => String, { nullable: true, description: "CERTIFICATE: the signing certificate's subject alternative names." }) certificateSan!: string | null;
}

@ObjectType({
  description:
    "An OpenSSF model-signing signature (`model.sig`, a sigstore bundle over the files' names and sha256 digests) and what checking it " +
    'against the files as stored found. Verification is offline: trusted keys and CA certificates are the project\'s (and the key given at import).',
})
export class VersionSignature {
  @Field(() => Boolean, { description: 'The files carry a signature.' }) signed!: boolean;
  @Field(() => Boolean, { nullable: true, description: 'It verifies with a trusted key or certificate and lists exactly the files stored (null when unsigned).' })
  valid!: boolean | null;
  @Field(() => SignerIdentity, { nullable: true }) signer!: SignerIdentity | null;
  @Field(() => [String], { description: 'Files whose name and sha256 the signature lists and we hold.' }) coveredFiles!: string[];
  @Field(() => [String], { description: 'Why it is not valid: a signer not trusted, files that differ, are missing or not covered.' }) problems!: string[];
  @Field(() => String, { nullable: true, description: "The signature file's sha256." }) sha256!: string | null;
  @Field(() => Date, { nullable: true }) verifiedAt!: Date | null;
}

@ObjectType()
export class TrustedSigningKey {
  @Field(() => String, { description: 'sha256 of the PEM, as model_signing names keys.' }) fingerprint!: string;
  @Field(() => String) pem!: string;
}

@ObjectType()
export class TrustedSigningCertificate {
  @Field(() => String) subject!: string;
  @Field(() => String, { description: 'SHA-256 fingerprint of the certificate.' }) fingerprint!: string;
  @Field(() => Date) validTo!: Date;
  @Field(() => String) pem!: string;
}

@ObjectType({ description: "Whom the project trusts to sign upstream models (checked at import; the policy's requireSignature makes a valid one a condition of VERIFIED)." })
export class ProjectSigning {
  @Field(() => [TrustedSigningKey]) trustedKeys!: TrustedSigningKey[];
  @Field(() => [TrustedSigningCertificate], { description: 'CA certificates a signing certificate must chain to.' }) trustedCertificates!: TrustedSigningCertificate[];
}
