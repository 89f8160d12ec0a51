import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LicenseRecord } from '../../domain/catalog/catalog-records';
import { bigintColumn } from '../column-transformers';

@Entity({ name: 'licenses' })
export class LicenseEntity implements LicenseRecord {
  /** SPDX identifier where one exists (Apache-2.0), else a registry-assigned one (Llama-3.1-Community). */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text' })
  category!: string;

  @Column({ name: 'is_spdx', type: 'boolean' })
  isSpdx!: boolean;

  @Column({ name: 'osi_approved', type: 'boolean' })
  osiApproved!: boolean;

  @Column({ name: 'commercial_use', type: 'boolean' })
  commercialUse!: boolean;

  @Column({ type: 'boolean' })
  derivatives!: boolean;

  @Column({ name: 'attribution_required', type: 'boolean' })
  attributionRequired!: boolean;

  @Column({ name: 'monthly_active_users_limit', type: 'bigint', nullable: true, transformer: bigintColumn })
  monthlyActiveUsersLimit!: bigint | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  /** Only through the licensor's hosted API: the weights may not be self-hosted. */
  @Column({ name: 'api_only', type: 'boolean', default: false })
  apiOnly!: boolean;

  /** Research and non-production use only. */
  @Column({ name: 'research_only', type: 'boolean', default: false })
  researchOnly!: boolean;
}
