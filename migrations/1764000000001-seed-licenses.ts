import type { MigrationInterface, QueryRunner } from 'typeorm';

type Row = [
  id: string,
  name: string,
  url: string,
  category: string,
  isSpdx: boolean,
  osi: boolean,
  commercial: boolean,
  derivatives: boolean,
  attribution: boolean,
  mauLimit: string | null,
  notes: string | null,
];

const LICENSES: Row[] = [
  ['Apache-2.0', 'Apache License 2.0', 'https://www.apache.org/licenses/LICENSE-2.0', 'PERMISSIVE', true, true, true, true, true, null, 'Includes an express patent grant; keep the NOTICE file.'],
  ['MIT', 'MIT License', 'https://opensource.org/license/mit', 'PERMISSIVE', true, true, true, true, true, null, null],
  ['BSD-2-Clause', 'BSD 2-Clause "Simplified" License', 'https://opensource.org/license/bsd-2-clause', 'PERMISSIVE', true, true, true, true, true, null, null],
  ['BSD-3-Clause', 'BSD 3-Clause "New" or "Revised" License', 'https://opensource.org/license/bsd-3-clause', 'PERMISSIVE', true, true, true, true, true, null, null],
  ['ISC', 'ISC License', 'https://opensource.org/license/isc-license-txt', 'PERMISSIVE', true, true, true, true, true, null, null],
  ['Unlicense', 'The Unlicense', 'https://unlicense.org/', 'PUBLIC_DOMAIN', true, true, true, true, false, null, null],
  ['CC0-1.0', 'Creative Commons Zero v1.0 Universal', 'https://creativecommons.org/publicdomain/zero/1.0/', 'PUBLIC_DOMAIN', true, false, true, true, false, null, null],
  ['CC-BY-4.0', 'Creative Commons Attribution 4.0', 'https://creativecommons.org/licenses/by/4.0/', 'PERMISSIVE', true, false, true, true, true, null, null],
  ['CC-BY-SA-4.0', 'Creative Commons Attribution Share Alike 4.0', 'https://creativecommons.org/licenses/by-sa/4.0/', 'COPYLEFT', true, false, true, true, true, null, 'Derivatives must be shared under the same license.'],
  ['CC-BY-NC-4.0', 'Creative Commons Attribution Non Commercial 4.0', 'https://creativecommons.org/licenses/by-nc/4.0/', 'NON_COMMERCIAL', true, false, false, true, true, null, 'No commercial use.'],
  ['CC-BY-NC-SA-4.0', 'Creative Commons Attribution Non Commercial Share Alike 4.0', 'https://creativecommons.org/licenses/by-nc-sa/4.0/', 'NON_COMMERCIAL', true, false, false, true, true, null, 'No commercial use; derivatives under the same license.'],
  ['MPL-2.0', 'Mozilla Public License 2.0', 'https://www.mozilla.org/MPL/2.0/', 'WEAK_COPYLEFT', true, true, true, true, true, null, 'File-level copyleft.'],
  ['LGPL-3.0-only', 'GNU Lesser General Public License v3.0 only', 'https://www.gnu.org/licenses/lgpl-3.0.html', 'WEAK_COPYLEFT', true, true, true, true, true, null, null],
  ['GPL-3.0-only', 'GNU General Public License v3.0 only', 'https://www.gnu.org/licenses/gpl-3.0.html', 'COPYLEFT', true, true, true, true, true, null, 'Distributed derivatives must be GPL-3.0.'],
  ['AGPL-3.0-only', 'GNU Affero General Public License v3.0 only', 'https://www.gnu.org/licenses/agpl-3.0.html', 'COPYLEFT', true, true, true, true, true, null, 'Network use counts as distribution.'],
  ['OpenRAIL-M', 'Open RAIL-M', 'https://www.licenses.ai/blog/2022/8/26/bigscience-open-rail-m-license', 'RESPONSIBLE_AI', false, false, true, true, true, null, 'Use-based restrictions travel with the model and its derivatives.'],
  ['CreativeML-OpenRAIL-M', 'CreativeML Open RAIL-M', 'https://huggingface.co/spaces/CompVis/stable-diffusion-license', 'RESPONSIBLE_AI', false, false, true, true, true, null, 'Use-based restrictions travel with the model and its derivatives.'],
  ['Llama-2-Community', 'Llama 2 Community License', 'https://ai.meta.com/llama/license/', 'COMMUNITY', false, false, true, true, true, '700000000', 'Over 700M monthly active users needs a separate license from Meta; acceptable use policy applies.'],
  ['Llama-3-Community', 'Meta Llama 3 Community License', 'https://llama.meta.com/llama3/license/', 'COMMUNITY', false, false, true, true, true, '700000000', 'Over 700M monthly active users needs a separate license from Meta; "Built with Meta Llama 3" attribution.'],
  ['Llama-3.1-Community', 'Llama 3.1 Community License', 'https://www.llama.com/llama3_1/license/', 'COMMUNITY', false, false, true, true, true, '700000000', 'Over 700M monthly active users needs a separate license from Meta; "Built with Llama" attribution; derivative model names start with "Llama".'],
  ['Gemma', 'Gemma Terms of Use', 'https://ai.google.dev/gemma/terms', 'COMMUNITY', false, false, true, true, true, null, 'Prohibited use policy applies and passes on to derivatives.'],
  ['Mistral-Research', 'Mistral AI Research License', 'https://mistral.ai/licenses/MRL-0.1.md', 'RESEARCH', false, false, false, true, true, null, 'Research and non-production use only; commercial use needs a license from Mistral AI.'],
  ['OpenAI-TOS', 'OpenAI Terms of Use', 'https://openai.com/policies/terms-of-use', 'PROPRIETARY', false, false, true, false, false, null, 'Hosted API only; outputs may not be used to develop competing models.'],
  ['Proprietary', 'Proprietary / all rights reserved', '', 'PROPRIETARY', false, false, false, false, false, null, 'Terms are set by a separate agreement; check with legal before use.'],
];

export class SeedLicenses1764000000001 implements MigrationInterface {
  name = 'SeedLicenses1764000000001';

  async up(q: QueryRunner): Promise<void> {
    for (const [id, name, url, category, isSpdx, osi, commercial, derivatives, attribution, mau, notes] of LICENSES) {
      await q.query(
        `INSERT INTO licenses (id, name, url, category, is_spdx, osi_approved, commercial_use, derivatives,
                               attribution_required, monthly_active_users_limit, notes)
         VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO NOTHING`,
        [id, name, url, category, isSpdx, osi, commercial, derivatives, attribution, mau, notes],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM licenses WHERE id = ANY($1)`, [LICENSES.map((row) => row[0])]);
  }
}
