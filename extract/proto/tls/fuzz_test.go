package tls

import (
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"flowsift/extract/proto/internal/pcaptest"
)

// The fuzz input is a sequence of events: a byte whose bit 0 is the
// direction (1: to the server) and bit 1 marks a gap, a length byte, then
// for data that many bytes.
func encodeEvents(evs []ev) []byte {
	var b []byte
	for _, e := range evs {
		dir := byte(0)
		if e.toServer {
			dir = 1
		}
		if e.gap > 0 {
			b = append(b, dir|2, byte(min(e.gap, 255)))
			continue
		}
		for d := e.data; len(d) > 0; {
			n := min(len(d), 255)
			b = append(b, dir, byte(n))
			b = append(b, d[:n]...)
			d = d[n:]
		}
	}
	return b
}

func decodeEvents(in []byte) []ev {
	var evs []ev
	for ts := int64(1); len(in) >= 2; ts++ {
		op, n := in[0], int(in[1])
		in = in[2:]
		e := ev{toServer: op&1 == 1, ts: ts}
		if op&2 != 0 {
			e.gap = n
		} else {
			n = min(n, len(in))
			e.data = in[:n]
			in = in[n:]
		}
		evs = append(evs, e)
	}
	return evs
}

func seedHandshakes() [][]byte {
	ch := hsMsg(1, foxioHello())
	sh := hsMsg(2, serverHello(0x0303, nil, []byte{1}, 0xc02f, []ext{alpnExt("h2"), pointsExt(0)}))
	ske := hsMsg(12, join([]byte{3}, be16(29), vec8(make([]byte, 32))))
	cert := hsMsg(11, certificateMsg(rawCertSeed()))
	return [][]byte{
		encodeEvents([]ev{cli(1, record(22, 0x0301, ch)), srv(2, record(22, 0x0303, join(sh, cert, ske, hsMsg(14, nil)))),
			cli(3, record(20, 0x0303, []byte{1})), srv(4, record(20, 0x0303, []byte{1}))}),
		encodeEvents([]ev{cli(1, record(22, 0x0301, ch[:20]), record(22, 0x0301, ch[20:])),
			srv(2, record(22, 0x0303, hsMsg(2, serverHello(0x0303, helloRetryRandom, nil, 0x1301,
				[]ext{{extSupportedVersions, be16(0x0304)}, {extKeyShare, be16(23)}}))))}),
		encodeEvents([]ev{cli(1, []byte{0x80, 0x0c, 1, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0x2f})}),
		encodeEvents([]ev{cli(1, []byte("GET / HTTP/1.1\r\n\r\n"))}),
	}
}

// rawCertSeed is a small certificate the lenient parser reads.
func rawCertSeed() []byte {
	name := []byte{0x30, 0x0d, 0x31, 0x0b, 0x30, 0x09, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x02, 'c', 'a'}
	tbs := join([]byte{0x02, 0x01, 0x05}, []byte{0x30, 0x00}, name,
		[]byte{0x30, 0x1e, 0x17, 0x0d}, []byte("240101000000Z"), []byte{0x17, 0x0d}, []byte("250101000000Z"),
		name, []byte{0x30, 0x00})
	tbsSeq := join([]byte{0x30, byte(len(tbs))}, tbs)
	return join([]byte{0x30, byte(len(tbsSeq) + 4)}, tbsSeq, []byte{0x30, 0x00, 0x03, 0x00})
}

func FuzzTLS(f *testing.F) {
	for _, s := range seedHandshakes() {
		f.Add(s)
	}
	if dir, ok := pcaptest.Find("ndpi"); ok {
		for _, file := range []string{"443-chrome.pcap", "443-firefox.pcap", "tls_verylong_certificate.pcap", "tls_with_huge_ch.pcapng", "tls-appdata.pcap"} {
			for i, c := range pcaptest.Conns(f, filepath.Join(dir, file), 8192) {
				if i >= 2 {
					break
				}
				f.Add(encodeEvents([]ev{{toServer: true, data: c.ToServer, ts: 1}, {data: c.ToClient, ts: 2}}))
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		evs := decodeEvents(in)
		cfg := Config{MaxMessage: 4096}
		whole, c := run(cfg, evs, 0)
		if len(whole) > 1 {
			t.Fatalf("%d handshakes emitted, want at most 1", len(whole))
		}
		for i := range c.dir {
			if cap(c.dir[i].msg) > 2*cfg.MaxMessage {
				t.Fatalf("handshake buffer grew to %d bytes", cap(c.dir[i].msg))
			}
		}
		for _, h := range whole {
			for _, s := range []*string{h.Version, h.Cipher, h.Curve, h.ServerName, h.NextProtocol, h.JA3, h.JA3String, h.JA4, h.JA3S, h.JA3SString} {
				if s != nil && !utf8.ValidString(*s) {
					t.Fatalf("field %q is not valid UTF-8", *s)
				}
			}
			if h.JA4 != nil && len(*h.JA4) != 36 {
				t.Fatalf("JA4 %q is not 36 characters", *h.JA4)
			}
			if h.Leaf != nil && (!utf8.ValidString(h.Leaf.Subject) || !utf8.ValidString(h.Leaf.Issuer)) {
				t.Fatalf("certificate names %q %q are not valid UTF-8", h.Leaf.Subject, h.Leaf.Issuer)
			}
		}
		bytewise, _ := run(cfg, evs, 1)
		if diff := cmp.Diff(bytewise, whole, cmpopts.IgnoreUnexported(Handshake{})); diff != "" {
			t.Fatalf("byte-by-byte feeding differs (-bytewise, +whole):\n%s", diff)
		}
	})
}

func FuzzParseCertificate(f *testing.F) {
	f.Add(rawCertSeed())
	f.Fuzz(func(t *testing.T, der []byte) {
		c, ok := ParseCertificate(der)
		if ok && (!utf8.ValidString(c.Subject) || !utf8.ValidString(c.Issuer) || !utf8.ValidString(c.Serial)) {
			t.Fatalf("names %q %q %q are not valid UTF-8", c.Subject, c.Issuer, c.Serial)
		}
	})
}

func FuzzQUIC(f *testing.F) {
	f.Add(quicSeed(f, QUICv1), uint8(7))
	f.Add(quicSeed(f, QUICv2), uint8(0))
	if dir, ok := pcaptest.Find("ndpi"); ok {
		for _, file := range []string{"quic-29.pcap", "quic_t51.pcap", "quic-mvfst-22.pcap", "quic-v2.pcapng", "quic_frags_ch_out_of_order_same_packet_craziness.pcapng"} {
			for i, d := range pcaptest.Datagrams(f, filepath.Join(dir, file)) {
				if i >= 2 {
					break
				}
				f.Add(d.Payload, uint8(0))
			}
		}
	}
	f.Fuzz(func(t *testing.T, dgram []byte, split uint8) {
		// Feed the datagram whole, then cut in two as two datagrams.
		var q, r QUICInitial
		q.Datagram(dgram)
		cut := min(int(split), len(dgram))
		r.Datagram(dgram[:cut])
		r.Datagram(dgram[cut:])
		for _, x := range []*QUICInitial{&q, &r} {
			if len(x.crypto) > maxCrypto {
				t.Fatalf("CRYPTO buffer grew to %d bytes", len(x.crypto))
			}
			if h := x.Hello(); h != nil {
				if fp := JA4(h, JA4QUIC); len(fp) != 36 {
					t.Fatalf("JA4 %q is not 36 characters", fp)
				}
			}
		}
	})
}
