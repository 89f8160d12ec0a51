/** Hugging Face model-card license tags → this catalog's license ids (SPDX ids pass through). */
const HUB_TAGS: Record<string, string> = {
  'llama2': 'Llama-2-Community',
  'llama3': 'Llama-3-Community',
  'llama3.1': 'Llama-3.1-Community',
  'gemma': 'Gemma',
  'openrail': 'OpenRAIL-M',
  'creativeml-openrail-m': 'CreativeML-OpenRAIL-M',
  'mrl': 'Mistral-Research',
  'apache-2.0': 'Apache-2.0',
  'mit': 'MIT',
  'bsd-3-clause': 'BSD-3-Clause',
  'cc-by-4.0': 'CC-BY-4.0',
  'cc-by-sa-4.0': 'CC-BY-SA-4.0',
  'cc-by-nc-4.0': 'CC-BY-NC-4.0',
  'cc-by-nc-sa-4.0': 'CC-BY-NC-SA-4.0',
  'gpl-3.0': 'GPL-3.0-only',
  'agpl-3.0': 'AGPL-3.0-only',
  'lgpl-3.0': 'LGPL-3.0-only',
  'mpl-2.0': 'MPL-2.0',
  'cc0-1.0': 'CC0-1.0',
  'unlicense': 'Unlicense',
};

export function licenseIdFromHubTag(tag: string): string {
  return HUB_TAGS[tag.trim().toLowerCase()] ?? tag.trim();
}
