/**
 * Flat strings for what the memory store keeps. V8 keeps a concatenated string (a template
 * literal, `a + b`) as a tree of its pieces, 32 bytes a node, until something reads it as a whole;
 * a key or id the store keeps for the life of the process is flattened once, when it is stored,
 * so the heap (and the garbage collector walking it) holds one flat string instead of the tree.
 * @module
 */

/** `text`, flattened: reading one character makes V8 write the pieces into one string. */
export function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}
