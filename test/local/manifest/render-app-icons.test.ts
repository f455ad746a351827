import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../local/manifest/encode-png';
import { ACCENT_COLOR, renderAppIcons } from '../../../local/manifest/render-app-icons';
import { decodePng } from './decode-png';

function pixel(image: { width: number; rgba: Uint8Array }, x: number, y: number): number[] {
  const o = (y * image.width + x) * 4;
  return [...image.rgba.subarray(o, o + 4)];
}

describe('encodePng', () => {
  it('round-trips pixels through an independent decoder', () => {
    const width = 7;
    const height = 5;
    const rgba = new Uint8Array(width * height * 4).map((_, i) => (i * 37 + (i >> 3)) & 0xff);
    const decoded = decodePng(encodePng({ width, height, rgba }));
    expect([decoded.width, decoded.height]).toEqual([width, height]);
    expect(Buffer.from(decoded.rgba).equals(Buffer.from(rgba))).toBe(true);
  });

  it('rejects pixel data that does not match the size', () => {
    expect(() => encodePng({ width: 2, height: 2, rgba: new Uint8Array(15) })).toThrow(/needs 16/);
    expect(() => encodePng({ width: 0, height: 2, rgba: new Uint8Array(0) })).toThrow(RangeError);
  });
});

describe('renderAppIcons', () => {
  const { color, outline } = renderAppIcons();
  const accent = [1, 3, 5].map((i) => parseInt(ACCENT_COLOR.slice(i, i + 2), 16));

  it('draws the colour icon opaque, on the accent colour, with a white shield and the keyhole showing the background', () => {
    expect(color.rgba.filter((_, i) => i % 4 === 3 && color.rgba[i] !== 255)).toHaveLength(0);
    expect(pixel(color, 0, 0)).toEqual([...accent, 255]);
    expect(pixel(color, 191, 191)).toEqual([...accent, 255]);
    expect(pixel(color, 60, 60)).toEqual([255, 255, 255, 255]);
    expect(pixel(color, 96, 80)).toEqual([...accent, 255]);
  });

  it('keeps the symbol within 96x96 with 48 px of padding, so Teams can crop the icon without losing it', () => {
    const offMargin: string[] = [];
    for (let y = 0; y < 192; y++) {
      for (let x = 0; x < 192; x++) {
        if (x >= 48 && x < 144 && y >= 48 && y < 144) continue;
        if (pixel(color, x, y).join() !== [...accent, 255].join()) offMargin.push(`${x},${y}`);
      }
    }
    expect(offMargin).toEqual([]);
  });

  it('draws the outline icon in white only, on transparency, with the keyhole cut out', () => {
    let opaque = 0;
    const notWhite: number[] = [];
    for (let i = 0; i < outline.rgba.length; i += 4) {
      if (outline.rgba[i] !== 255 || outline.rgba[i + 1] !== 255 || outline.rgba[i + 2] !== 255) notWhite.push(i / 4);
      if (outline.rgba[i + 3] === 255) opaque++;
    }
    expect(notWhite).toEqual([]);
    expect(opaque).toBeGreaterThan(200);
    for (const [x, y] of [[0, 0], [31, 0], [0, 31], [31, 31], [16, 12]] as const) expect(pixel(outline, x, y)[3]).toBe(0);
    expect(pixel(outline, 8, 8)[3]).toBe(255);
    // No padding: the symbol reaches the top and bottom rows and both side columns.
    const alphaAt = (x: number, y: number) => pixel(outline, x, y)[3]!;
    const rows = [0, 31].map((y) => Math.max(...Array.from({ length: 32 }, (_, x) => alphaAt(x, y))));
    const columns = [2, 29].map((x) => Math.max(...Array.from({ length: 32 }, (_, y) => alphaAt(x, y))));
    for (const edge of [...rows, ...columns]) expect(edge).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    const again = renderAppIcons();
    expect(Buffer.from(again.color.rgba).equals(Buffer.from(color.rgba))).toBe(true);
    expect(Buffer.from(again.outline.rgba).equals(Buffer.from(outline.rgba))).toBe(true);
  });
});
