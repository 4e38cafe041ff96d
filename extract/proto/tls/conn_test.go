package tls

import (
	"crypto/x509/pkix"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

type ev struct {
	toServer bool
	data     []byte
	gap      int
	ts       int64
}

func cli(ts int64, parts ...[]byte) ev { return ev{toServer: true, data: join(parts...), ts: ts} }
func srv(ts int64, parts ...[]byte) ev { return ev{data: join(parts...), ts: ts} }

// run feeds events into a Conn in pieces of at most chunk bytes (0: whole,
// -1: random) and returns what it emitted.
func run(cfg Config, evs []ev, chunk int) ([]*Handshake, *Conn) {
	var out []*Handshake
	c := NewConn(cfg, func(h *Handshake) { out = append(out, h) })
	rng := rand.New(rand.NewPCG(3, 4))
	for _, e := range evs {
		if e.gap > 0 {
			c.Gap(e.toServer, e.gap)
			continue
		}
		b := e.data
		for len(b) > 0 {
			n := len(b)
			switch {
			case chunk > 0:
				n = min(n, chunk)
			case chunk < 0:
				n = min(n, 1+rng.IntN(9))
			}
			c.Data(e.toServer, b[:n], e.ts)
			b = b[n:]
		}
	}
	c.Close(1 << 40)
	return out, c
}

// view is the comparable part of a Handshake.
type view struct {
	TS                                int64
	Version, Cipher, Curve, SNI, ALPN string
	Established, Resumed              bool
	JA3String, JA4, JA3SString        string
	ClientALPN                        []string
	Subject, Issuer, Serial           string
	SAN, FPs                          []string
	HasClient, HasServer              bool
}

func str(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}

func toView(h *Handshake) view {
	v := view{TS: h.TS, Version: str(h.Version), Cipher: str(h.Cipher), Curve: str(h.Curve), SNI: str(h.ServerName),
		ALPN: str(h.NextProtocol), Established: h.Established, Resumed: h.Resumed, JA3String: str(h.JA3String),
		JA4: str(h.JA4), JA3SString: str(h.JA3SString), ClientALPN: h.ClientALPN, FPs: h.CertChainFPs,
		Subject: "-", Issuer: "-", Serial: "-", HasClient: h.Client != nil, HasServer: h.Server != nil}
	if h.Leaf != nil {
		v.Subject, v.Issuer, v.Serial, v.SAN = h.Leaf.Subject, h.Leaf.Issuer, h.Leaf.Serial, h.Leaf.SANDNS
	}
	if h.JA3String != nil && *h.JA3 != MD5Hex(*h.JA3String) {
		v.JA3String = "JA3 does not hash JA3String"
	}
	if h.JA3SString != nil && *h.JA3S != MD5Hex(*h.JA3SString) {
		v.JA3SString = "JA3S does not hash JA3SString"
	}
	return v
}

func TestConn(t *testing.T) {
	cert := testCert(t, 7, pkix.Name{CommonName: "www.example.com"}, []string{"www.example.com"})
	other := testCert(t, 8, pkix.Name{CommonName: "Intermediate"}, nil)

	ch12 := hsMsg(1, clientHello(0x0303, nil, []uint16{0xc02f, 0xc030, 0x009c},
		[]ext{sniExt("www.example.com"), groupsExt(23, 24), pointsExt(0), sigalgsExt(0x0401, 0x0501), alpnExt("http/1.1", "h2")}))
	sh12 := hsMsg(2, serverHello(0x0303, nil, []byte{1, 2, 3}, 0xc02f, []ext{{0xff01, []byte{0}}, alpnExt("http/1.1"), pointsExt(0)}))
	certs := hsMsg(11, certificateMsg(cert, other))
	ske := hsMsg(12, join([]byte{3}, be16(23), vec8(make([]byte, 65)), be16(0x0401), vec16(make([]byte, 64))))
	done := hsMsg(14, nil)
	ja3s12 := "771,49199,65281-16-11"

	ch13 := hsMsg(1, clientHello(0x0303, make([]byte, 32), []uint16{0x1a1a, 0x1301, 0x1302},
		[]ext{sniExt("tls13.example"), versionsExt(0x3a3a, 0x0304, 0x0303), keyShareExt(29), groupsExt(29, 23), sigalgsExt(0x0804), alpnExt("h2")}))
	sh13 := hsMsg(2, serverHello(0x0303, nil, make([]byte, 32), 0x1301,
		[]ext{{extSupportedVersions, be16(0x0304)}, {extKeyShare, join(be16(29), vec16(make([]byte, 32)))}}))
	sh13psk := hsMsg(2, serverHello(0x0303, nil, make([]byte, 32), 0x1301,
		[]ext{{extSupportedVersions, be16(0x0304)}, {extKeyShare, join(be16(29), vec16(make([]byte, 32)))}, {extPreSharedKey, be16(0)}}))
	hrr := hsMsg(2, serverHello(0x0303, helloRetryRandom, make([]byte, 32), 0x1301,
		[]ext{{extSupportedVersions, be16(0x0304)}, {extKeyShare, be16(23)}}))
	ccs := record(20, 0x0303, []byte{1})
	appData := record(23, 0x0303, make([]byte, 40))

	full12 := view{TS: 1, Version: "TLSv12", Cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Curve: "secp256r1",
		SNI: "www.example.com", ALPN: "http/1.1", Established: true,
		JA3String: "771,49199-49200-156,0-10-11-13-16,23-24,0", JA4: JA4(mustHello(t, ch12), 't'), JA3SString: ja3s12,
		ClientALPN: []string{"http/1.1", "h2"}, Subject: "CN=www.example.com", Issuer: "CN=Test CA,O=Example\\, Inc.", Serial: "07",
		SAN: []string{"www.example.com"}, FPs: []string{Fingerprint(cert), Fingerprint(other)}, HasClient: true, HasServer: true}

	tests := []struct {
		name    string
		cfg     Config
		evs     []ev
		want    []view
		problem map[string]uint64
	}{
		{
			name: "tls 1.2 full handshake",
			evs: []ev{
				cli(1, record(22, 0x0301, ch12)),
				srv(2, record(22, 0x0303, join(sh12, certs, ske, done))),
				cli(3, record(22, 0x0303, hsMsg(16, vec8(make([]byte, 65)))), ccs, record(22, 0x0303, make([]byte, 40))),
				srv(4, ccs, record(22, 0x0303, make([]byte, 40)), appData),
			},
			want: []view{full12},
		},
		{
			name: "messages spanning records and records holding several messages",
			evs: func() []ev {
				flight := join(sh12, certs, ske, done)
				a, b := flight[:10], flight[10:len(sh12)+100]
				rest := flight[len(sh12)+100:]
				return []ev{
					cli(1, record(22, 0x0301, ch12[:7]), record(22, 0x0301, ch12[7:])),
					srv(2, record(22, 0x0303, a), record(22, 0x0303, b), record(22, 0x0303, rest)),
					cli(3, ccs), srv(4, ccs),
				}
			}(),
			want: []view{full12},
		},
		{
			name: "tls 1.3",
			evs: []ev{
				cli(5, record(22, 0x0301, ch13)),
				srv(6, record(22, 0x0303, sh13), ccs, appData),
				cli(7, ccs, appData),
			},
			want: []view{{TS: 5, Version: "TLSv13", Cipher: "TLS_AES_128_GCM_SHA256", Curve: "x25519", SNI: "tls13.example", ALPN: "-",
				Established: true, JA3String: "771,4865-4866,0-43-51-10-13-16,29-23,", JA4: "t13d0206h2_" + JA4(mustHello(t, ch13), 't')[11:],
				JA3SString: "771,4865,43-51", ClientALPN: []string{"h2"}, Subject: "-", Issuer: "-", Serial: "-", HasClient: true, HasServer: true}},
		},
		{
			name: "tls 1.3 resumption with a pre-shared key",
			evs: []ev{
				cli(5, record(22, 0x0301, ch13)),
				srv(6, record(22, 0x0303, sh13psk), ccs, appData),
				cli(7, ccs, appData),
			},
			want: []view{{TS: 5, Version: "TLSv13", Cipher: "TLS_AES_128_GCM_SHA256", Curve: "x25519", SNI: "tls13.example", ALPN: "-",
				Established: true, Resumed: true, JA3String: "771,4865-4866,0-43-51-10-13-16,29-23,", JA4: JA4(mustHello(t, ch13), 't'),
				JA3SString: "771,4865,43-51-41", ClientALPN: []string{"h2"}, Subject: "-", Issuer: "-", Serial: "-", HasClient: true, HasServer: true}},
		},
		{
			name: "hello retry request keeps the first client hello",
			evs: []ev{
				cli(5, record(22, 0x0301, ch13)),
				srv(6, record(22, 0x0303, hrr), ccs),
				cli(7, ccs, record(22, 0x0303, hsMsg(1, clientHello(0x0303, nil, []uint16{0x1301}, []ext{versionsExt(0x0304)})))),
				srv(8, record(22, 0x0303, sh13), appData),
				cli(9, appData),
			},
			want: []view{{TS: 5, Version: "TLSv13", Cipher: "TLS_AES_128_GCM_SHA256", Curve: "x25519", SNI: "tls13.example", ALPN: "-",
				Established: true, JA3String: "771,4865-4866,0-43-51-10-13-16,29-23,", JA4: JA4(mustHello(t, ch13), 't'),
				JA3SString: "771,4865,43-51", ClientALPN: []string{"h2"}, Subject: "-", Issuer: "-", Serial: "-", HasClient: true, HasServer: true}},
			problem: map[string]uint64{"tls_hello_retry": 1},
		},
		{
			name: "tls 1.2 session resumption",
			evs: []ev{
				cli(1, record(22, 0x0301, hsMsg(1, clientHello(0x0303, []byte{1, 2, 3}, []uint16{0x009c}, nil)))),
				srv(2, record(22, 0x0303, hsMsg(2, serverHello(0x0303, nil, []byte{1, 2, 3}, 0x009c, nil))), ccs),
				cli(3, ccs),
			},
			want: []view{{TS: 1, Version: "TLSv12", Cipher: "TLS_RSA_WITH_AES_128_GCM_SHA256", Curve: "-", SNI: "-", ALPN: "-",
				Established: true, Resumed: true, JA3String: "771,156,,,", JA4: "t12i010000_" + truncatedHash("009c") + "_000000000000",
				JA3SString: "771,156,", Subject: "-", Issuer: "-", Serial: "-", HasClient: true, HasServer: true}},
		},
		{
			name: "sslv2 client hello",
			evs: []ev{
				cli(1, func() []byte {
					body := join([]byte{1}, be16(0x0301), be16(9), be16(0), be16(16),
						[]byte{0x01, 0x00, 0x80, 0x00, 0x00, 0x2f, 0x00, 0x00, 0xff}, make([]byte, 16))
					return join([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body)
				}()),
				srv(2, record(22, 0x0301, hsMsg(2, serverHello(0x0301, nil, nil, 0x002f, nil)))),
			},
			want: []view{{TS: 1, Version: "TLSv10", Cipher: "TLS_RSA_WITH_AES_128_CBC_SHA", Curve: "-", SNI: "-", ALPN: "-",
				Established: true, JA3String: "-", JA4: "-", JA3SString: "769,47,", Subject: "-", Issuer: "-", Serial: "-",
				HasClient: true, HasServer: true}},
			problem: map[string]uint64{"tls_sslv2_client_hello": 1},
		},
		{
			name:    "not tls",
			evs:     []ev{cli(1, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")), srv(2, []byte("HTTP/1.1 200 OK\r\n\r\n"))},
			problem: map[string]uint64{"tls_not_tls": 2},
		},
		{
			name: "gap in the server flight keeps the client hello",
			evs: []ev{
				cli(1, record(22, 0x0301, ch12)),
				srv(2, record(22, 0x0303, sh12)),
				{gap: 100},
				srv(3, record(22, 0x0303, certs)),
			},
			want: []view{{TS: 1, Version: "TLSv12", Cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Curve: "-", SNI: "www.example.com",
				ALPN: "http/1.1", Established: true, JA3String: full12.JA3String, JA4: full12.JA4, JA3SString: ja3s12,
				ClientALPN: []string{"http/1.1", "h2"}, Subject: "-", Issuer: "-", Serial: "-", HasClient: true, HasServer: true}},
			problem: map[string]uint64{"tls_gap": 1},
		},
		{
			name: "oversized certificate message skipped",
			cfg:  Config{MaxMessage: 200},
			evs: []ev{
				cli(1, record(22, 0x0301, ch12)),
				srv(2, record(22, 0x0303, join(sh12, certs, ske, done)), ccs),
				cli(3, ccs),
			},
			want: []view{{TS: 1, Version: "TLSv12", Cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Curve: "secp256r1",
				SNI: "www.example.com", ALPN: "http/1.1", Established: true, JA3String: full12.JA3String, JA4: full12.JA4,
				JA3SString: ja3s12, ClientALPN: []string{"http/1.1", "h2"}, Subject: "-", Issuer: "-", Serial: "-",
				HasClient: true, HasServer: true}},
			problem: map[string]uint64{"tls_message_too_large": 1},
		},
		{
			name: "client hello only, emitted at close",
			evs:  []ev{cli(1, record(22, 0x0301, ch13))},
			want: []view{{TS: 1, Version: "-", Cipher: "-", Curve: "-", SNI: "tls13.example", ALPN: "-",
				JA3String: "771,4865-4866,0-43-51-10-13-16,29-23,", JA4: JA4(mustHello(t, ch13), 't'), JA3SString: "-",
				ClientALPN: []string{"h2"}, Subject: "-", Issuer: "-", Serial: "-", HasClient: true}},
		},
		{
			name: "alert from the server",
			evs: []ev{
				cli(1, record(22, 0x0301, ch13)),
				srv(2, record(21, 0x0303, []byte{2, 40})),
			},
			want: []view{{TS: 1, Version: "-", Cipher: "-", Curve: "-", SNI: "tls13.example", ALPN: "-",
				JA3String: "771,4865-4866,0-43-51-10-13-16,29-23,", JA4: JA4(mustHello(t, ch13), 't'), JA3SString: "-",
				ClientALPN: []string{"h2"}, Subject: "-", Issuer: "-", Serial: "-", HasClient: true}},
			problem: map[string]uint64{"tls_alert": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, c := run(tt.cfg, tt.evs, 0)
			var views []view
			for _, h := range got {
				views = append(views, toView(h))
			}
			if diff := cmp.Diff(views, tt.want, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("handshakes (-got, +want):\n%s", diff)
			}
			problems := map[string]uint64{}
			c.Problems().Each(func(p Problem, n uint64) { problems[p.String()] = n })
			if diff := cmp.Diff(problems, tt.problem, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Problems() (-got, +want):\n%s", diff)
			}
			for _, chunk := range []int{1, 3, -1} {
				again, _ := run(tt.cfg, tt.evs, chunk)
				var av []view
				for _, h := range again {
					av = append(av, toView(h))
				}
				if diff := cmp.Diff(av, views, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("chunks of %d differ (-chunked, +whole):\n%s", chunk, diff)
				}
			}
		})
	}
}

func mustHello(t *testing.T, msg []byte) *ClientHello {
	t.Helper()
	var ch ClientHello
	if !ParseClientHello(msg[4:], &ch) {
		t.Fatal("ParseClientHello() = false")
	}
	return &ch
}

func TestDoneStopsEarly(t *testing.T) {
	emitted := 0
	c := NewConn(Config{}, func(*Handshake) { emitted++ })
	c.Data(true, record(22, 0x0301, hsMsg(1, clientHello(0x0303, nil, []uint16{0x1301}, nil))), 1)
	c.Data(true, record(23, 0x0303, []byte{1}), 2)
	c.Data(false, record(22, 0x0303, hsMsg(2, serverHello(0x0303, nil, nil, 0x1301, nil))), 3)
	c.Data(false, record(23, 0x0303, []byte{1}), 4)
	if !c.Done() || emitted != 1 {
		t.Fatalf("Done() = %v, emitted %d, want true and 1 once both directions encrypt", c.Done(), emitted)
	}
	c.Close(5)
	if emitted != 1 {
		t.Errorf("emitted %d handshakes after Close, want 1", emitted)
	}
}
