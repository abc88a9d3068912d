//! Writing artifacts: atomic output trees, the manifest of content hashes, and diffs.
