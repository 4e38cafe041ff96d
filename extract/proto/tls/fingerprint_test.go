package tls

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// foxioHello reconstructs the ClientHello of the worked example in FoxIO's
// technical_details/JA4.md: its 15 ciphers and 16 extensions in the order of
// JA4_ro, its signature algorithms, ALPN h2, TLS 1.3 offered, plus GREASE
// values where Chrome puts them, which must not change anything.
func foxioHello() []byte {
	ciphers := []uint16{0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
		0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	exts := []ext{
		emptyExt(0x8a8a),
		{0x001b, vec8(u16s(2))},
		sniExt("example.com"),
		keyShareExt(0x9a9a, 29),
		alpnExt("h2", "http/1.1"),
		{0x4469, vec16(vec8([]byte("h2")))},
		emptyExt(0x0017),
		{0x002d, vec8([]byte{1})},
		sigalgsExt(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601),
		{0x0005, []byte{1, 0, 0, 0, 0}},
		emptyExt(0x0023),
		emptyExt(0x0012),
		versionsExt(0x4a4a, 0x0304, 0x0303),
		{0xff01, []byte{0}},
		pointsExt(0),
		groupsExt(0x9a9a, 29, 23, 24),
		{0x0015, make([]byte, 20)},
		emptyExt(0xdada),
	}
	return clientHello(0x0303, make([]byte, 32), ciphers, exts)
}

func TestJA4FoxIOExample(t *testing.T) {
	var ch ClientHello
	if !ParseClientHello(foxioHello(), &ch) {
		t.Fatal("ParseClientHello() = false")
	}
	prefix, ciphers, exts := ja4Parts(&ch, JA4TCP)
	gotRaw := prefix + "_" + ciphers + "_" + exts
	wantRaw := "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" +
		"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
	if diff := cmp.Diff(gotRaw, wantRaw); diff != "" {
		t.Errorf("JA4_r (-got, +want):\n%s", diff)
	}
	if got, want := JA4(&ch, JA4TCP), "t13d1516h2_8daaf6152771_e5627efa2ab1"; got != want {
		t.Errorf("JA4() = %q, want %q", got, want)
	}
	if got, want := JA4(&ch, JA4QUIC)[:1], "q"; got != want {
		t.Errorf("JA4(quic) starts with %q, want %q", got, want)
	}
}

func TestJA3ReadmeExamples(t *testing.T) {
	tests := []struct {
		name     string
		hello    []byte
		wantStr  string
		wantHash string
	}{
		{
			name: "with extensions",
			hello: clientHello(769, nil, []uint16{47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4},
				[]ext{sniExt("a.example"), groupsExt(23, 24, 25), pointsExt(0)}),
			wantStr:  "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
			wantHash: "ada70206e40642a3e4461f35503241d5",
		},
		{
			name:     "without extensions",
			hello:    clientHello(769, nil, []uint16{4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99}, nil),
			wantStr:  "769,4-5-10-9-100-98-3-6-19-18-99,,,",
			wantHash: "de350869b8c85de67a350c8d186f11e6",
		},
		{
			name: "grease dropped everywhere",
			hello: clientHello(771, nil, []uint16{0x0a0a, 4865, 0xfafa},
				[]ext{emptyExt(0x1a1a), groupsExt(0x2a2a, 29), pointsExt(0, 1), emptyExt(0xeaea)}),
			wantStr:  "771,4865,10-11,29,0-1",
			wantHash: MD5Hex("771,4865,10-11,29,0-1"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ch ClientHello
			if !ParseClientHello(tt.hello, &ch) {
				t.Fatal("ParseClientHello() = false")
			}
			s := JA3String(&ch)
			if s != tt.wantStr {
				t.Errorf("JA3String() = %q, want %q", s, tt.wantStr)
			}
			if got := MD5Hex(s); got != tt.wantHash {
				t.Errorf("MD5Hex(JA3String()) = %q, want %q", got, tt.wantHash)
			}
		})
	}
}

func TestJA4Fields(t *testing.T) {
	tests := []struct {
		name string
		ch   ClientHello
		want string
	}{
		{"nothing", ClientHello{Version: 0x0301, Extensions: []uint16{}}, "t10i0000" + "00_000000000000_000000000000"},
		{"single-char alpn", ClientHello{Version: 0x0303, ALPN: []string{"x"}, Extensions: []uint16{16}}, "t12i0001xx_000000000000_000000000000"},
		{"non-alphanumeric alpn", ClientHello{Version: 0x0303, ALPN: []string{"\xab\xcd"}}, "t12i0000ad_000000000000_000000000000"},
		{"alpn with space end", ClientHello{Version: 0x0303, ALPN: []string{"a "}}, "t12i000060_000000000000_000000000000"},
		{"empty alpn", ClientHello{Version: 0x0303, ALPN: []string{""}}, "t12i000000_000000000000_000000000000"},
		{"ssl3", ClientHello{Version: 0x0300}, "t" + "s3i000000_000000000000_000000000000"},
		{"unknown version", ClientHello{Version: 0x0305}, "t00i000000_000000000000_000000000000"},
		{"grease-only supported versions", ClientHello{Version: 0x0303, SupportedVersions: []uint16{0x0a0a}}, "t12i000000_000000000000_000000000000"},
		{"sni without alpn extension only", ClientHello{Version: 0x0303, HasSNI: true, Extensions: []uint16{0, 16}},
			"t12d000200_000000000000_000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := JA4(&tt.ch, JA4TCP); got != tt.want {
				t.Errorf("JA4() = %q, want %q", got, tt.want)
			}
		})
	}
	many := ClientHello{Version: 0x0303}
	for i := range 120 {
		many.CipherSuites = append(many.CipherSuites, uint16(i+1))
		many.Extensions = append(many.Extensions, uint16(i+100))
	}
	if got := JA4(&many, JA4TCP)[:10]; got != "t12i999900" {
		t.Errorf("JA4() counts = %q, want capped at 99", got)
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{VersionName(0x0303), "TLSv12"}, {VersionName(0x0304), "TLSv13"}, {VersionName(0x0300), "SSLv3"},
		{VersionName(0x0002), "SSLv2"}, {VersionName(0x7f17), "TLSv13-draft23"}, {VersionName(0x1234), "unknown-4660"},
		{CipherName(0x1301), "TLS_AES_128_GCM_SHA256"}, {CipherName(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{CipherName(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}, {CipherName(0x0a0a), "grease_0x0A0A"},
		{CipherName(0xabcd), "unknown-43981"},
		{CurveName(29), "x25519"}, {CurveName(23), "secp256r1"}, {CurveName(4588), "X25519MLKEM768"}, {CurveName(999), "unknown-999"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
	for v := 0; v < 0x10000; v++ {
		want := v&0x0f0f == 0x0a0a && v>>8 == v&0xff
		if isGREASE(uint16(v)) != want {
			t.Fatalf("isGREASE(%#04x) = %v", v, !want)
		}
	}
}
