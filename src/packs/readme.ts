import { b64 } from "./json-fields.js";
import type { PackManifest } from "./manifest.js";
import { PACK_FORMAT, PACK_VERSION } from "./pack-layout.js";

/** README.txt: how to check the pack. Depends only on the manifest, so it is the same on every export. */
export function readmeText(m: PackManifest): string {
  return `Vigil evidence pack (${PACK_FORMAT} v${PACK_VERSION})

Origin:      ${m.origin}
Checkpoint:  anchor ${m.checkpoint.seq}, tree size ${m.checkpoint.size}, root ${b64(m.checkpoint.root)}
Artifacts:   ${m.artifacts.length}

Verify everything, with no locker and no network, against a verifier key you
obtained independently (the pack's own verifier.key proves nothing by itself):

  vigil verify --offline --input PACK --trusted-key KEY_OR_FILE

PACK is this .tar.gz or its extracted directory. Add
--since-checkpoint FILE to check that the pack extends a checkpoint you
already trust (e.g. one saved earlier with: vigil anchor export -o FILE).

Check only that the files are intact, in the extracted directory:

  sha256sum -c SHA256SUMS

Layout:
  manifest.json        each artifact's id, leaf index, size and files
  records/<leaf>.json  the exact journal record bytes (RFC 8785 canonical JSON)
  contents/<sha256>    the artifact's contents
  proofs/<leaf>.json   RFC 6962 inclusion proof of the record in the checkpoint's tree
  checkpoint           the signed checkpoint (C2SP signed note)
  chain.json           consistency proofs from every earlier anchor to the checkpoint
  verifier.key         the locker's verifier key, for reference
  keys.json            (after a key rotation) key.rotated records, each signed by the old
                       and the new key: a key you trust leads to the one that signed
  SHA256SUMS           SHA-256 of every other file
`;
}
