// The fonts the delivery's PDFs embed: Noto Sans (Latin, Greek, Cyrillic, Vietnamese) and Noto Sans
// SC (Han characters), both OFL, from npm packages, so a PDF looks the same whatever the server has
// installed. pdfkit embeds only the glyphs used (a subset). A name neither font can draw is never
// printed as empty boxes: `missingCharacters` finds it first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

const require = createRequire(import.meta.url);

export const FONT_FILES = {
  latin: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  latinBold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  // One weight of Han: headings in Chinese print in the regular weight. The bold file is another
  // 10 MB in every build's memory (tests/bench/delivery.bench.ts, delivery_100k_peak_rss_mb).
  han: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
} as const;
export type FontName = keyof typeof FONT_FILES;

/** The font files' bytes, read once per build and handed to every document of it. */
export type FontBytes = Record<FontName, Buffer>;

export function loadFonts(): FontBytes {
  const out = {} as FontBytes;
  for (const name of Object.keys(FONT_FILES) as FontName[]) out[name] = readFileSync(require.resolve(FONT_FILES[name]));
  return out;
}

const parsed = new WeakMap<Buffer, fontkit.Font>();

/**
 * The font in these bytes, parsed once for the coverage check and every document of a build: each
 * parse of the Han font builds its tables again (delivery_100k_peak_rss_mb).
 */
export function parsedFont(bytes: Buffer): fontkit.Font {
  let font = parsed.get(bytes);
  if (!font) parsed.set(bytes, (font = fontkit.create(bytes) as fontkit.Font));
  return font;
}

/** Which font draws a piece of text, and which characters no font has. */
export class FontCoverage {
  private readonly latin: fontkit.Font;
  private readonly han: fontkit.Font;
  private readonly known = new Map<number, 'latin' | 'han' | null>();

  constructor(fonts: FontBytes) {
    this.latin = parsedFont(fonts.latin);
    this.han = parsedFont(fonts.han);
  }

  private fontOf(codePoint: number): 'latin' | 'han' | null {
    let font = this.known.get(codePoint);
    if (font === undefined) {
      // Spaces and controls need no glyph of their own.
      if (codePoint <= 0x20) font = 'latin';
      else font = this.latin.hasGlyphForCodePoint(codePoint) ? 'latin' : this.han.hasGlyphForCodePoint(codePoint) ? 'han' : null;
      this.known.set(codePoint, font);
    }
    return font;
  }

  /** Characters of `text` neither font can draw, as `U+1F600`; empty when all are drawable. */
  missingCharacters(text: string): string[] {
    const missing = new Set<string>();
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (this.fontOf(cp) === null) missing.add(`U+${cp.toString(16).toUpperCase().padStart(4, '0')}`);
    }
    return [...missing];
  }

  /**
   * The text in runs of one font each. Noto Sans SC also has Latin letters, so a text that it can
   * draw whole goes in one run (one run reads back as one piece of text).
   */
  runs(text: string): { font: 'latin' | 'han'; text: string }[] {
    let allLatin = true;
    let allHan = true;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      const font = this.fontOf(cp);
      if (font !== 'latin') allLatin = false;
      if (font !== 'han' && !(cp <= 0x20 || this.han.hasGlyphForCodePoint(cp))) allHan = false;
    }
    if (allLatin) return [{ font: 'latin', text }];
    if (allHan) return [{ font: 'han', text }];
    const runs: { font: 'latin' | 'han'; text: string }[] = [];
    for (const ch of text) {
      const font = this.fontOf(ch.codePointAt(0)!) ?? 'latin';
      const last = runs[runs.length - 1];
      if (last && last.font === font) last.text += ch;
      else runs.push({ font, text: ch });
    }
    return runs;
  }
}
