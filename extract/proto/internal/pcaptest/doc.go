// Package pcaptest reads the shared capture corpus for the protocol
// parsers' tests: it finds the corpus, decodes captures with the extract
// packages, and reassembles TCP connections just well enough to feed a
// parser (segments ordered by sequence number, retransmissions dropped,
// reassembly stopped at the first hole).
//
// # Input
//
// Capture files under the corpus folder, which lives beside the module root
// (../shared/corpus) and is absent from a fresh clone.
//
// # Output
//
// [Conns] returns TCP connections with both reassembled directions;
// [Datagrams] returns UDP payloads in capture order.
//
// # Invariants
//
// Only tests import this package. [Dir] skips the calling test when the
// corpus is missing, so tests that need it pass cleanly without it.
package pcaptest
