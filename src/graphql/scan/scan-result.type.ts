import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FindingSeverity, ScanStatus } from '../enums';
import { BigIntScalar } from '../scalars/bigint.scalar';

export enum ClamavResult {
  CLEAN = 'CLEAN',
  INFECTED = 'INFECTED',
  NOT_SCANNED = 'NOT_SCANNED',
  SKIPPED = 'SKIPPED',
}

registerEnumType(ClamavResult, {
  name: 'ClamavResult',
  description: 'ClamAV on one file: NOT_SCANNED (too large for clamd to scan whole) is a finding, never clean; SKIPPED: no clamd configured.',
});

export enum SignatureDatabaseKind {
  OFFICIAL = 'OFFICIAL',
  TEST_ONLY = 'TEST_ONLY',
}

registerEnumType(SignatureDatabaseKind, {
  name: 'SignatureDatabaseKind',
  description: "What clamd's signature database was: ClamAV's own (OFFICIAL), or TEST_ONLY (EICAR only, `npm run dev` offline): its clean answers count as SKIPPED.",
});

@ObjectType()
export class ScanFinding {
  @Field(() => String, { description: 'File inside the version the finding is about.' })
  path!: string;

  @Field(() => String, { description: 'clamav, pickle, zip, numpy, safetensors, gguf, keras, …' })
  scanner!: string;

  @Field(() => String, { description: 'Stable rule id (pickle-dangerous-import, clamav-signature, clamav-not-scanned, unscannable-…).' })
  rule!: string;

  @Field(() => String, { nullable: true, description: 'The import a pickle rule is about (module.name).' })
  global!: string | null;

  @Field(() => FindingSeverity)
  severity!: FindingSeverity;

  @Field(() => BigIntScalar, { nullable: true, description: 'Byte offset in the file, where there is one.' })
  offset!: number | null;

  @Field(() => String)
  message!: string;
}

@ObjectType({ description: "One file's result within a scan." })
export class ScanFileResult {
  @Field(() => String)
  path!: string;

  @Field(() => String)
  sha256!: string;

  @Field(() => BigIntScalar)
  size!: number;

  @Field(() => String, { nullable: true, description: 'As the format scanners detected it, by content.' })
  format!: string | null;

  @Field(() => ScanStatus)
  status!: ScanStatus;

  @Field(() => ClamavResult, { nullable: true })
  clamav!: ClamavResult | null;

  @Field(() => [ScanFinding])
  findings!: ScanFinding[];

  @Field(() => BigIntScalar)
  bytesScanned!: number;

  @Field(() => Boolean, { description: 'The verdict came from the blob cache: this content was already scanned with the same rule and signature versions.' })
  cached!: boolean;

  @Field(() => Date, { nullable: true })
  scannedAt!: Date | null;
}

@ObjectType({ description: 'A scan of one version (ClamAV plus the model-format scanners); rescans add new ones.' })
export class ScanResult {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'modelhub for scans run here (ClamAV plus format scanners).' })
  scanner!: string;

  @Field(() => String, { nullable: true })
  scannerVersion!: string | null;

  @Field(() => String, { nullable: true, description: 'Rule version of the format scanners (SCANNER_RULES_VERSION).' })
  rulesVersion!: string | null;

  @Field(() => String, { nullable: true, description: "clamd's VERSION answer (engine/signature database/date); null when ClamAV was not run." })
  signatureVersion!: string | null;

  @Field(() => SignatureDatabaseKind, { nullable: true, description: "clamd's database kind; null when ClamAV was not run. TEST_ONLY makes a clean scan SKIPPED, never PASSED." })
  signatureDatabase!: SignatureDatabaseKind | null;

  @Field(() => ScanStatus)
  status!: ScanStatus;

  @Field(() => [ScanFinding], { description: 'The first findings across files, worst first (the files hold them all).' })
  findings!: ScanFinding[];

  @Field(() => Int)
  criticalCount!: number;

  @Field(() => Int)
  highCount!: number;

  @Field(() => Int)
  mediumCount!: number;

  @Field(() => Int)
  lowCount!: number;

  @Field(() => Int)
  filesScanned!: number;

  @Field(() => Int, { description: 'Files whose verdict came from the blob cache.' })
  filesCached!: number;

  @Field(() => BigIntScalar)
  bytesScanned!: bigint;

  @Field(() => Date)
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Null while SCANNING.' })
  completedAt!: Date | null;
}
