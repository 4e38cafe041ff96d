// Package text renders bytes taken from traffic as the valid UTF-8 strings
// the protocol tables store.
//
// # Input
//
// Arbitrary bytes: DNS labels, HTTP header values, TLS server names,
// certificate fields. Nothing is assumed about their encoding.
//
// # Output
//
// Text in which valid, printable UTF-8 is kept as it is and every other byte
// (ASCII control characters, DEL, bytes that are not part of a valid UTF-8
// sequence) is written as the four characters \xNN with lower-case hex
// digits. This is what Zeek's JSON logs contain once decoded, which is the
// form Sigma rules are written against (specs/sigma.md section 3.2).
//
// # Invariants
//
// The output is always valid UTF-8 and never contains a byte below 0x20 or
// 0x7f (except tab, CR and LF in the multi-line mode of [AppendLines]). The
// backslash is kept as it is, as in Zeek's JSON logs, so a literal "\x41" in
// traffic and an escaped byte read the same: the escaping is for display and
// matching, not a reversible encoding. The functions never allocate beyond
// growing the destination slice, and never fail.
package text
