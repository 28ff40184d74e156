// SPDX-License-Identifier: Apache-2.0
// Licence fields of the generated SBOM (02 §5, §5.1) and the `LicenseRef-` ids they declare.
import { localLicenseRefs, parseLicenseExpression } from '../attestation/sbom-license.js';
import { compareStrings } from './inputs.js';
import { sanitizeIdPart } from './spdx-ids.js';

export interface ExtractedLicense {
  readonly licenseId: string;
  readonly extractedText: string;
  readonly name: string;
}

const LICENSE_REF_PREFIX = 'LicenseRef-';

/**
 * Collects the `LicenseRef-` ids an SBOM uses and their texts (`hasExtractedLicensingInfos`).
 * Call it in a deterministic order: the first text given for an id is kept, and a free-text
 * licence whose sanitised id is already taken by another text gets `-2`, `-3`….
 */
export class LicenseRegistry {
  private readonly texts = new Map<string, string>();

  /** Declares an id with its text (Debian copyright paragraphs, 02 §5.1); the first text wins. */
  declare(licenseId: string, text: string): void {
    if (!this.texts.has(licenseId))
      this.texts.set(licenseId, text === '' ? nameOf(licenseId) : text);
  }

  /**
   * A licence field's value: absent or empty → `NOASSERTION`; `NOASSERTION`/`NONE` as they are; a
   * valid SPDX expression as written (every `LicenseRef-` it uses is declared, with its name as the
   * text when nobody gave one); anything else → `LicenseRef-<text with [^A-Za-z0-9.-] → ->` whose
   * extracted text is the original.
   */
  normalize(value: string | undefined): string {
    const text = value?.trim() ?? '';
    if (text === '') return 'NOASSERTION';
    if (text === 'NOASSERTION' || text === 'NONE') return text;
    const parsed = parseLicenseExpression(text);
    if (parsed.ok) {
      for (const id of localLicenseRefs(parsed.expression)) this.declare(id, nameOf(id));
      return text;
    }
    return this.refFor(text);
  }

  /**
   * Composer's `license` array (one package under several licences): each entry normalised, joined
   * with `OR`, compound entries parenthesised. Composer's `proprietary` keyword becomes
   * `LicenseRef-proprietary`; an empty list is `NOASSERTION`.
   */
  normalizeAny(values: readonly string[]): string {
    const parts = values.flatMap((value) => {
      const text = value.trim();
      if (text === '') return [];
      if (text === 'proprietary') return [this.refFor(text)];
      const normalized = this.normalize(text);
      return normalized === 'NOASSERTION' || normalized === 'NONE' ? [] : [normalized];
    });
    const unique = [...new Set(parts)];
    if (unique.length === 0) return 'NOASSERTION';
    if (unique.length === 1) return unique[0] ?? 'NOASSERTION';
    return unique.map((p) => (/\s/u.test(p) ? `(${p})` : p)).join(' OR ');
  }

  /** `hasExtractedLicensingInfos`, sorted by id. */
  extracted(): ExtractedLicense[] {
    return [...this.texts.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([licenseId, extractedText]) => ({ licenseId, extractedText, name: nameOf(licenseId) }));
  }

  private refFor(text: string): string {
    const base = `${LICENSE_REF_PREFIX}${sanitizeIdPart(text)}`;
    for (let n = 1; ; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      const existing = this.texts.get(id);
      if (existing === undefined) {
        this.texts.set(id, text);
        return id;
      }
      if (existing === text) return id;
    }
  }
}

function nameOf(licenseId: string): string {
  return licenseId.startsWith(LICENSE_REF_PREFIX)
    ? licenseId.slice(LICENSE_REF_PREFIX.length)
    : licenseId;
}
