package tls

import (
	"crypto/x509/pkix"
	"testing"
)

// BenchmarkHandshake runs a TLS 1.2 handshake with a two-certificate chain
// through a Conn, record by record as a capture would deliver it.
func BenchmarkHandshake(b *testing.B) {
	cert := testCert(b, 7, pkix.Name{CommonName: "www.example.com"}, []string{"www.example.com"})
	ch := record(22, 0x0301, hsMsg(1, foxioHello()))
	flight := record(22, 0x0303, join(
		hsMsg(2, serverHello(0x0303, nil, []byte{1}, 0xc02f, []ext{alpnExt("h2"), pointsExt(0)})),
		hsMsg(11, certificateMsg(cert, cert)),
		hsMsg(12, join([]byte{3}, be16(29), vec8(make([]byte, 32)))),
		hsMsg(14, nil)))
	ccs := record(20, 0x0303, []byte{1})
	n := 0
	b.SetBytes(int64(len(ch) + len(flight) + 2*len(ccs)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewConn(Config{}, func(*Handshake) { n++ })
		c.Data(true, ch, 1)
		c.Data(false, flight, 2)
		c.Data(true, ccs, 3)
		c.Data(false, ccs, 4)
		c.Close(5)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "handshakes/s")
}

// BenchmarkClientHelloOnly is the common case of TLS 1.3: only the hellos
// are visible.
func BenchmarkClientHelloOnly(b *testing.B) {
	ch := record(22, 0x0301, hsMsg(1, foxioHello()))
	sh := record(22, 0x0303, hsMsg(2, serverHello(0x0303, nil, make([]byte, 32), 0x1301,
		[]ext{{extSupportedVersions, be16(0x0304)}, {extKeyShare, join(be16(29), vec16(make([]byte, 32)))}})))
	app := record(23, 0x0303, make([]byte, 64))
	n := 0
	b.SetBytes(int64(len(ch) + len(sh)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewConn(Config{}, func(*Handshake) { n++ })
		c.Data(true, ch, 1)
		c.Data(false, sh, 2)
		c.Data(false, app, 3)
		c.Data(true, app, 4)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "handshakes/s")
}

// BenchmarkQUICInitial decrypts a client Initial and parses its hello.
func BenchmarkQUICInitial(b *testing.B) {
	pkt := quicSeed(b, QUICv1)
	n := 0
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		var q QUICInitial
		if q.Datagram(pkt) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("no ClientHello recovered")
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "initials/s")
}
