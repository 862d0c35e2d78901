import { readFileSync } from 'node:fs';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { FontCoverage, loadFonts } from '../src/server/delivery/fonts';
const c = new FontCoverage(loadFonts());
console.log(c.missingCharacters('अनिल'), c.missingCharacters('አበበ'), c.missingCharacters('😀'), c.missingCharacters('สมชาย'));
const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(process.argv[2]!)) }).promise;
const page = await doc.getPage(1);
const ops = await page.getOperatorList();
const names = Object.fromEntries(Object.entries(pdfjs.OPS).map(([k, v]) => [v, k]));
let shown = 0;
for (let i = 0; i < ops.fnArray.length && shown < 400; i++) { const n = names[ops.fnArray[i]!]; if (n !== 'showText' && n !== 'setFont') { shown++; if (shown > 330) console.log(n, JSON.stringify(ops.argsArray[i])?.slice(0, 150)); } }
