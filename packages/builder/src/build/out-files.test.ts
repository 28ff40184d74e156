// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { outFiles, outStem, sourceMembers } from './out-files.js';

describe('out files (01 §9)', () => {
  it('replaces / in the name with _', () => {
    expect(outStem('cerro-torre/mariadb')).toBe('cerro-torre_mariadb');
    expect(outStem('a/b/c')).toBe('a_b_c');
    expect(outStem('hello')).toBe('hello');
  });

  it('names the four files <n>-<version>.*', () => {
    expect(outFiles('/out', 'cerro-torre/mariadb', '11.2')).toEqual({
      package: '/out/cerro-torre_mariadb-11.2.ctp',
      bundle: '/out/cerro-torre_mariadb-11.2.bundle.json',
      sbom: '/out/cerro-torre_mariadb-11.2.spdx.json',
      provenance: '/out/cerro-torre_mariadb-11.2.provenance.json',
    });
  });

  it('names the source members of a package', () => {
    expect(sourceMembers('php-aegis/wordpress')).toEqual({
      manifest: 'source/php-aegis_wordpress.ctp',
      lock: 'source/php-aegis_wordpress.lock.json',
    });
  });
});
