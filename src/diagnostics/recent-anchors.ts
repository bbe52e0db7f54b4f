import { checkAnchor, type AnchorContext } from "../log/anchors.js";

export interface AnchorSummary {
  readonly seq: number;
  readonly size: number;
  readonly root: string;
  readonly createdAt: string;
  readonly verified: boolean;
  readonly problems: readonly string[];
}

/**
 * The last `n` anchors, each checked as verifyAnchors("all") checks it
 * (signature, origin, root recomputed from the journal, consistency link to
 * its predecessor) without checking the older ones.
 */
export async function recentAnchors(
  ctx: Pick<AnchorContext, "log" | "verifier" | "origin">,
  n: number,
): Promise<AnchorSummary[]> {
  const all = await ctx.log.listCheckpoints();
  const out: AnchorSummary[] = [];
  for (let i = Math.max(0, all.length - n); i < all.length; i++) {
    const a = all[i];
    if (a === undefined) continue;
    const check = await checkAnchor(ctx, a, all[i - 1] ?? null);
    out.push({
      seq: a.seq,
      size: a.size,
      root: a.root.toString("hex"),
      createdAt: a.createdAt,
      verified: check.ok,
      problems: check.problems,
    });
  }
  return out;
}
