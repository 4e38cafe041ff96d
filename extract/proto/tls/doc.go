// Package tls parses the cleartext TLS handshake of a TCP connection into
// the rows of tls.parquet: what the client offered, what the server chose,
// the server's certificate chain when it is visible, and the JA3, JA3S and
// JA4 fingerprints.
//
// # Input
//
// A [Conn] per TCP connection, driven by the flow table: [Conn.Data] with
// each direction's in-order payload bytes in chunks of any size,
// [Conn.Gap] where reassembly lost bytes, and [Conn.Close] when the flow
// ends. Records may span chunks, handshake messages may span records, and a
// record may hold several handshake messages. An SSLv2-compatible
// ClientHello is decoded too (offered version and ciphers) and counted.
//
// A [QUICInitial] per QUIC flow takes the client's UDP payloads instead: it
// decrypts the client Initial packets with the keys RFC 9001 (and RFC 9369
// for QUIC v2, and the drafts and Google T050/T051 variants before them)
// derives from the client's first Destination Connection ID, reassembles
// their CRYPTO frames, in any order and across packets, and parses the
// ClientHello; [QUICHandshake] turns it into a row with SNI, JA3 and a JA4
// marked "q".
//
// A direction is parsed until it starts encrypting: after its
// ChangeCipherSpec in TLS 1.2 and older, at its first application-data
// record in TLS 1.3 (where the ChangeCipherSpec is only a compatibility
// gesture). Everything TLS 1.3 sends after the ServerHello is encrypted, so
// for TLS 1.3 the chosen ALPN protocol (in EncryptedExtensions) and the
// certificates are not visible: NextProtocol, Leaf and CertChainFPs stay
// nil.
//
// # Output
//
// One [Handshake] per connection that carried a ClientHello or ServerHello,
// emitted when both directions are done or at Close. Version, cipher and
// curve names are spelled as Zeek's ssl.log spells them. Lists keep the
// values as sent, GREASE included; the fingerprints drop GREASE (RFC 8701)
// from every list:
//
//   - JA3: MD5 of "Version,Ciphers,Extensions,Groups,PointFormats" from the
//     first ClientHello, Version being its legacy_version, values decimal
//     and joined by "-" (salesforce/ja3).
//   - JA3S: MD5 of "Version,Cipher,Extensions" from the ServerHello, Version
//     being its legacy_version.
//   - JA4: FoxIO's client fingerprint (technical_details/JA4.md, BSD-3),
//     "t" for TCP; [JA4] also serves QUIC ("q").
//
// The leaf certificate is read with crypto/x509 and, when that rejects a
// certificate seen in the wild (negative serial, malformed names or
// extensions), with a lenient walk of its TBSCertificate; subject and issuer
// are RFC 4514 strings in the certificate's own attribute order.
//
// # Invariants
//
// Nothing here panics, whatever the bytes. Memory per connection is bounded
// by one handshake message per direction, at most [Config.MaxMessage] bytes;
// a larger message (a huge certificate chain) is skipped without buffering
// and counted. A direction that does not start like TLS is abandoned after
// its first bytes. Problems are counted by kind in [Counts], never returned
// as errors.
package tls
