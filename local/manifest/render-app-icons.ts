import type { RgbaImage } from './encode-png';

/** The app's accent colour: the manifest's accentColor and the colour icon's background. */
export const ACCENT_COLOR = '#1B5E91';

/** Colour icon 192x192 (full colour, opaque) and outline icon 32x32 (white on transparent), as Teams requires. */
export interface AppIcons {
  readonly color: RgbaImage;
  readonly outline: RgbaImage;
}

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const SHIELD_SHADE: Rgb = [207, 224, 238];
/** Samples per pixel edge: 4x4 supersampling gives 17 coverage levels, smooth enough at 32 px. */
const SAMPLES = 4;

function hexToRgb(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`Not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/**
 * A shield in its unit box: straight sides for the upper half, then narrowing along a parabola to the point.
 * Only + - * / and comparisons are used, so every machine draws the same pixels.
 */
function insideShield(u: number, v: number): boolean {
  if (u < 0 || u > 1 || v < 0 || v > 1) return false;
  const t = v <= 0.5 ? 0 : (v - 0.5) / 0.5;
  const halfWidth = 0.5 * (1 - t * t);
  if (Math.abs(u - 0.5) > halfWidth) return false;
  const r = 0.12;
  if (v < r && (u < r || u > 1 - r)) {
    const cx = u < 0.5 ? r : 1 - r;
    if ((u - cx) * (u - cx) + (v - r) * (v - r) > r * r) return false;
  }
  return true;
}

/** A keyhole centred in the shield: a round head over a stem that widens downwards. */
function insideKeyhole(u: number, v: number): boolean {
  const dx = u - 0.5;
  const dy = v - 0.38;
  if (dx * dx + dy * dy <= 0.12 * 0.12) return true;
  if (v < 0.38 || v > 0.7) return false;
  const halfWidth = 0.055 + ((v - 0.38) / (0.7 - 0.38)) * (0.095 - 0.055);
  return Math.abs(dx) <= halfWidth;
}

interface GlyphBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Renders `size`x`size` pixels, averaging the colour and alpha that `shade` gives each subsample. */
function render(size: number, shade: (u: number, v: number) => readonly [Rgb, number]): RgbaImage {
  const rgba = new Uint8Array(size * size * 4);
  const n = SAMPLES * SAMPLES;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const [rgb, alpha] = shade(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
          r += rgb[0] * alpha;
          g += rgb[1] * alpha;
          b += rgb[2] * alpha;
          a += alpha;
        }
      }
      const o = (y * size + x) * 4;
      // Colour is alpha-weighted so transparent subsamples do not darken edges; fully transparent pixels stay white.
      rgba[o] = a === 0 ? 255 : Math.round(r / a);
      rgba[o + 1] = a === 0 ? 255 : Math.round(g / a);
      rgba[o + 2] = a === 0 ? 255 : Math.round(b / a);
      rgba[o + 3] = Math.round((a / n) * 255);
    }
  }
  return { width: size, height: size, rgba };
}

function glyph(box: GlyphBox, px: number, py: number): { shield: boolean; keyhole: boolean; left: boolean } {
  const u = (px - box.left) / box.width;
  const v = (py - box.top) / box.height;
  return { shield: insideShield(u, v), keyhole: insideKeyhole(u, v), left: u < 0.5 };
}

/**
 * Draws both icons: a shield with a keyhole (certificates guarding the tunnels). Teams' icon rules: the colour
 * icon's symbol fits 96x96 with 48 px of padding (Teams crops to rounded squares and hexagons); the outline icon is
 * pure white (255, 255, 255) on transparency and fills its 32x32 without padding.
 */
export function renderAppIcons(accentColor: string = ACCENT_COLOR): AppIcons {
  const accent = hexToRgb(accentColor);
  const colorBox: GlyphBox = { left: 54, top: 48, width: 84, height: 96 };
  const color = render(192, (px, py) => {
    const g = glyph(colorBox, px, py);
    if (!g.shield || g.keyhole) return [accent, 1];
    return [g.left ? WHITE : SHIELD_SHADE, 1];
  });
  const outlineBox: GlyphBox = { left: 2, top: 0, width: 28, height: 32 };
  const outline = render(32, (px, py) => {
    const g = glyph(outlineBox, px, py);
    return [WHITE, g.shield && !g.keyhole ? 1 : 0];
  });
  return { color, outline };
}
