package tls_test

import (
	"fmt"

	"flowsift/extract/proto/tls"
)

// Example shows how the flow table drives a Conn: each direction's
// reassembled bytes, then Close (or stop feeding once Done reports true).
func Example() {
	hello := []byte("\x16\x03\x01\x00\x3d" + // handshake record
		"\x01\x00\x00\x39" + // ClientHello
		"\x03\x03" + string(make([]byte, 32)) + "\x00" + // version, random, empty session id
		"\x00\x04\x13\x01\xc0\x2f" + "\x01\x00" + // two ciphers, null compression
		"\x00\x0c\x00\x00\x00\x08\x00\x06\x00\x00\x03a.b") // SNI "a.b"
	c := tls.NewConn(tls.Config{}, func(h *tls.Handshake) {
		fmt.Println(*h.ServerName, *h.JA3String, *h.JA4, h.Established)
	})
	c.Data(true, hello, 1)
	c.Close(2)
	// Output: a.b 771,4865-49199,0,, t12d020100_c1929292aa6b_000000000000 false
}

// ExampleJA4 computes JA4 for a hello decoded elsewhere, such as from a
// QUIC Initial.
func ExampleJA4() {
	ch := &tls.ClientHello{
		Version:             tls.VersionTLS12,
		CipherSuites:        []uint16{0x0a0a, 0x1301, 0x1302},
		Extensions:          []uint16{0, 16, 43, 13},
		HasSNI:              true,
		ALPN:                []string{"h3"},
		SupportedVersions:   []uint16{0x0304},
		SignatureAlgorithms: []uint16{0x0403},
	}
	fmt.Println(tls.JA4(ch, tls.JA4QUIC))
	// The hashes are the first 12 hex digits of SHA-256("1301,1302") and
	// of SHA-256("000d,002b_0403"), checked with sha256sum.
	// Output: q13d0204h3_62ed6f6ca7ad_3953dc75acc4
}
