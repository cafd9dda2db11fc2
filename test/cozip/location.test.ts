import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addLocationColumn,
  addLocationColumnData,
  GDAL_VSI_COLUMN,
  gdalFilename,
  gdalVsiPath,
  LOCATION_COLUMN,
} from '../../src/cozip/location.js';
import { isCozipError } from '../../src/errors.js';

const invalid = (err: unknown) => isCozipError(err, 'INVALID_ARGUMENT');

describe('gdalVsiPath', () => {
  it('local paths go straight into /vsisubfile/', () => {
    assert.equal(gdalVsiPath('/data/s2.zip', 130, 9600), '/vsisubfile/130_9600,/data/s2.zip');
    assert.equal(gdalVsiPath('rel/a b.zip', 0, 1), '/vsisubfile/0_1,rel/a b.zip');
    assert.equal(gdalVsiPath('C:\\data\\s2.zip', 5, 6), '/vsisubfile/5_6,C:\\data\\s2.zip');
  });

  it('http(s) URLs go through /vsicurl/', () => {
    assert.equal(
      gdalVsiPath('https://example.com/a/s2.zip?sig=1,2', 43490, 1289),
      '/vsisubfile/43490_1289,/vsicurl/https://example.com/a/s2.zip?sig=1,2',
    );
    assert.equal(
      gdalVsiPath('http://localhost:8080/x.zip', 1, 2),
      '/vsisubfile/1_2,/vsicurl/http://localhost:8080/x.zip',
    );
  });

  it('object stores use their GDAL file systems', () => {
    assert.equal(
      gdalVsiPath('s3://bucket/key/s2.zip', 7, 8),
      '/vsisubfile/7_8,/vsis3/bucket/key/s2.zip',
    );
    assert.equal(gdalVsiPath('gs://bucket/s2.zip', 7, 8), '/vsisubfile/7_8,/vsigs/bucket/s2.zip');
    assert.equal(gdalFilename('file:///tmp/a%20b.zip'), '/tmp/a b.zip');
    assert.equal(gdalFilename('file:///C:/data/a.zip'), 'C:/data/a.zip');
    assert.equal(gdalFilename('/vsis3/bucket/a.zip'), '/vsis3/bucket/a.zip');
  });

  it('offsets beyond 2^32 are written in full', () => {
    assert.equal(gdalVsiPath('/a.zip', 2 ** 40, 3), `/vsisubfile/${2 ** 40}_3,/a.zip`);
  });

  it('refuses what GDAL cannot open', () => {
    assert.throws(() => gdalVsiPath('/a.zip', -1, 1), invalid);
    assert.throws(() => gdalVsiPath('/a.zip', 1.5, 1), invalid);
    assert.throws(() => gdalVsiPath('/a.zip', 1, Number.NaN), invalid);
    assert.throws(() => gdalVsiPath('', 1, 1), invalid);
    assert.throws(() => gdalVsiPath('ftp2://x/a.zip', 1, 1), invalid);
  });
});

describe('addLocationColumn', () => {
  it('adds cozip:location to copies of the rows (or the legacy cozip:gdal_vsi when named)', () => {
    const rows = [
      { name: 'lima.txt', offset: 130, size: 9600 },
      { name: 'paris.txt', offset: 9769, size: 10400 },
    ];
    const out = addLocationColumn(rows, 'https://h/x.zip');
    assert.equal(LOCATION_COLUMN, 'cozip:location');
    assert.deepEqual(
      out.map((r) => r[LOCATION_COLUMN]),
      [
        '/vsisubfile/130_9600,/vsicurl/https://h/x.zip',
        '/vsisubfile/9769_10400,/vsicurl/https://h/x.zip',
      ],
    );
    assert.equal(out[0].name, 'lima.txt');
    assert.equal('cozip:location' in rows[0], false);
    const legacy = addLocationColumn(rows, '/x.zip', GDAL_VSI_COLUMN);
    assert.equal(legacy[0]['cozip:gdal_vsi'], '/vsisubfile/130_9600,/x.zip');
    assert.equal('cozip:location' in legacy[0], false);
    assert.throws(() => addLocationColumn([{ name: 'a' }], '/x.zip'), invalid);
  });

  it('has a column-wise form', () => {
    const data = { name: ['a', 'b'], offset: [1, 2], size: [3, 4] };
    assert.deepEqual(addLocationColumnData(data, '/x.zip'), {
      ...data,
      'cozip:location': ['/vsisubfile/1_3,/x.zip', '/vsisubfile/2_4,/x.zip'],
    });
    assert.throws(() => addLocationColumnData({ name: ['a'] }, '/x.zip'), invalid);
  });
});
