/**
 * `chars` CJK ideographs (3 bytes each in UTF-8), all different over a long stretch so that a prompt cut
 * or mangled anywhere no longer contains the whole text. `offset` makes another text of the same length.
 */
export function cjkText(chars: number, offset = 0): string {
  let text = '';
  // The CJK Unified Ideographs block, U+4E00 to U+9FFF.
  for (let i = 0; i < chars; i++) text += String.fromCodePoint(0x4e00 + ((i + offset) % 0x5200));
  return text;
}

/**
 * The comment the defect was found with: `@agent ` and CJK text, 64,015 characters in all (about 192 KB in
 * UTF-8, more than the 128 KiB Linux lets one command-line argument hold), under GitHub's limit of 65,536.
 */
export function longCjkComment(offset = 0): { comment: string; text: string } {
  const text = cjkText(64_015 - '@agent '.length, offset);
  return { comment: `@agent ${text}`, text };
}
