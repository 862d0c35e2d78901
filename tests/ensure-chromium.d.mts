// Types of tests/ensure-chromium.mjs, for the TypeScript entry points that call it.
export declare const CHROMIUM: string;
export declare const CJK_FONT: string;
export declare function missingPackages(): string[];
export declare function ensureChromium(): void;
