import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c, crc32cUpdate, maskCrc, maskedCrc32c } from '../../src/core/codecs/crc32c';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('gives the standard check value for "123456789"', () => {
    assert.equal(crc32c(ascii('123456789')), 0xe3069283);
  });

  it('matches the RFC 3720 (iSCSI) test vectors', () => {
    // RFC 3720 B.4: 32 bytes of zeros, of 0xff, ascending 0..31, descending 31..0
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });

  it('is 0 for no bytes and can be continued chunk by chunk', () => {
    assert.equal(crc32c(new Uint8Array(0)), 0);
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
    let c = 0;
    for (let i = 0; i < data.length; i += 37) c = crc32cUpdate(c, data.subarray(i, i + 37));
    assert.equal(c, crc32c(data));
  });

  it('masks as TFRecord does', () => {
    // by hand: crc 0xE3069283; rotr15 = (crc >>> 15) | (crc << 17) mod 2^32
    const crc = 0xe3069283;
    const rot = ((crc >>> 15) | ((crc << 17) >>> 0)) >>> 0;
    assert.equal(rot, 0x2507c60d);
    assert.equal(maskCrc(crc), (0x2507c60d + 0xa282ead8) % 2 ** 32);
    assert.equal(maskedCrc32c(ascii('123456789')), 0xc78ab0e5);
  });

  it('verifies the length CRC of the first record of a real TensorBoard file', () => {
    // bytes 0..11 of the 0xDaksh events file: length 0x18 (uint64 LE), then its masked CRC a37f4b22 (LE)
    const header = Uint8Array.from([0x18, 0, 0, 0, 0, 0, 0, 0]);
    assert.equal(maskedCrc32c(header), 0x224b7fa3);
  });
});
