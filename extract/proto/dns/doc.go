// Package dns parses DNS messages and pairs queries with responses into the
// rows of dns.parquet, the way Zeek's dns.log does.
//
// # Input
//
// Whole DNS messages: a UDP payload, or one message cut out of a TCP stream
// by a [Splitter] (RFC 1035 section 4.2.2 two-byte length prefix, fed in
// chunks of any size). [Parse] decodes one message into a caller-owned
// [Message] whose slices are reused from call to call.
//
// # Output
//
// A [Message] holds the header, the first question (name lower-cased, no
// trailing dot, escaped as package text does) and the answer records with
// their RDATA rendered as Zeek's dns.log renders it: addresses for A and
// AAAA, target names for NS, CNAME, PTR, MX, SRV and SOA (its MNAME),
// "TXT <len> <string>" for each TXT character string, the short DNSSEC
// summaries ("RRSIG 1 example.com", "DS 8 2", ...), "<unknown type=N>" for
// types Zeek does not decode, and nothing for the types Zeek does not log
// (HINFO, WKS, CAA, SVCB, HTTPS, OPT, TSIG, TKEY).
//
// A [Pairer], one per flow, turns messages into [Transaction] values, one
// per dns.parquet row: the oldest pending query with a response's id is
// completed by that response; a retransmitted query waits in line behind the
// first; a response with no pending query waits for a later query with its id
// (captures reorder) and is emitted alone at [Pairer.Flush]; queries never
// answered are emitted at [Pairer.Flush] with the response fields unset.
// [NameMetrics] derives the tunnelling features of a query name.
//
// # Invariants
//
// Nothing here panics or reads outside its input, whatever the bytes.
// Compression pointers must point strictly before the name segment that
// holds them, which rejects loops and forward references; names longer than
// [MaxNameLen] are rejected. A message that cannot be parsed completely
// leaves in the [Message] whatever was decoded before the problem, and
// [Parse] returns a [Problem] naming it (a stable counter name via its
// String method). Memory is bounded: a message is at most 65535 bytes, a
// Splitter buffers at most one message, and a Pairer holds at most
// [Config.MaxPending] unmatched messages.
//
// Where this package departs from Zeek, on purpose: a malformed record is
// skipped and parsing goes on at the next one (Zeek abandons the rest of the
// message); an unsolicited response takes its query name and type from its
// own question section (Zeek leaves the type unset); the flags AA, TC, RD,
// RA and Z are those of the response when there is one; and when too many
// messages are pending the oldest is emitted, instead of Zeek's emptying of
// the whole queue.
package dns
