/**
 * The client assets as files on disk, for hosts whose bundler fingerprints what pages import (Docusaurus' webpack,
 * VitePress' Vite): the stylesheet (theme, @font-face, figure CSS) and the font it points at by relative name go into
 * one folder, and the bundler hashes and emits them. The stepper is imported from the package itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientAssets } from '../figure/assets.ts';

/** Writes the stylesheet and its font into `dir`; returns the stylesheet's path. */
export function writeClientStyle(dir: string): string {
  const assets = clientAssets();
  mkdirSync(dir, { recursive: true });
  for (const font of assets.fonts) writeFileSync(join(dir, font.fileName), font.source);
  const style = join(dir, assets.css.fileName);
  writeFileSync(style, assets.css.source);
  return style;
}

/** A module next to this one (the compiled client modules live beside their adapter in dist/). */
export const besideAdapters = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));
