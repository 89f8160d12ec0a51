export enum ScanStatus {
  CLEAN = 'CLEAN',
  SUSPICIOUS = 'SUSPICIOUS',
  INFECTED = 'INFECTED',
  ERROR = 'ERROR',
}

export enum FindingSeverity {
  INFO = 'INFO',
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  CRITICAL = 'CRITICAL',
}

export interface ScanFinding {
  path: string;
  rule: string;
  severity: FindingSeverity;
  detail: string | null;
}
