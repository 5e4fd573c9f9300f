// Hash partitions of names: garbage collection splits its reference set this way to bound memory.

/**
 * Which of `count` partitions a name falls in: FNV-1a, then murmur3's final mix (FNV's low bits alone
 * follow the characters' low bits too closely); fast, and the same in every process.
 */
export function partitionOf(name: string, count: number): number {
  if (count <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) % count;
}
