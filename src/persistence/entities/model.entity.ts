import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ModelRecord } from '../../domain/catalog/catalog-records';
import type { EndpointType, Modality, SourceType } from '../../domain/catalog/catalog-enums';
import type { HardwareRequirements, LicenseRestrictions, ModelLinks } from '../../domain/catalog/model-draft';
import type { LifecycleStage } from '../../domain/lifecycle/lifecycle-stage';
import { bigintColumn, jsonWithBigints } from '../column-transformers';

@Entity({ name: 'models' })
export class ModelEntity implements ModelRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ name: 'display_name', type: 'text', nullable: true })
  displayName!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'source_type', type: 'text' })
  sourceType!: SourceType;

  @Column({ name: 'source_uri', type: 'text', nullable: true })
  sourceUri!: string | null;

  @Column({ type: 'text', nullable: true })
  architecture!: string | null;

  @Column({ name: 'parameter_count', type: 'bigint', nullable: true, transformer: bigintColumn })
  parameterCount!: bigint | null;

  @Column({ name: 'context_length', type: 'integer', nullable: true })
  contextLength!: number | null;

  @Column({ name: 'input_modalities', type: 'text', array: true })
  inputModalities!: Modality[];

  @Column({ name: 'output_modalities', type: 'text', array: true })
  outputModalities!: Modality[];

  @Column({ type: 'text', array: true })
  endpoints!: EndpointType[];

  @Column({ name: 'license_id', type: 'text', nullable: true })
  licenseId!: string | null;

  @Column({ name: 'license_restrictions', type: 'jsonb', nullable: true, transformer: jsonWithBigints })
  licenseRestrictions!: LicenseRestrictions | null;

  @Column({ type: 'jsonb', nullable: true })
  requirements!: HardwareRequirements | null;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ type: 'text', array: true })
  tasks!: string[];

  @Column({ type: 'text', nullable: true })
  owner!: string | null;

  @Column({ type: 'text', nullable: true })
  project!: string | null;

  @Column({ type: 'jsonb' })
  links!: ModelLinks;

  @Column({ type: 'text' })
  status!: LifecycleStage;

  @Column({ name: 'default_version_id', type: 'uuid', nullable: true })
  defaultVersionId!: string | null;

  @Column({ name: 'pending_default_version_id', type: 'uuid', nullable: true })
  pendingDefaultVersionId!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
