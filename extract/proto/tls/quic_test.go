package tls

import (
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex.DecodeString(%q) error = %v", s, err)
	}
	return b
}

// TestInitialKeys checks key derivation against the published test
// vectors: RFC 9001 appendix A.1 (QUIC v1) and RFC 9369 appendix A.1 (v2).
func TestInitialKeys(t *testing.T) {
	dcid := unhex(t, "8394c8f03e515708")
	tests := []struct {
		version uint32
		prefix  string
		key, iv string
		hp      string
	}{
		{QUICv1, "quic ", "1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{QUICv2, "quicv2 ", "8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	for _, tt := range tests {
		salt, prefix := quicSalt(tt.version)
		if prefix != tt.prefix {
			t.Errorf("quicSalt(%#x) prefix = %q, want %q", tt.version, prefix, tt.prefix)
		}
		initial, err := hkdfExtract(dcid, salt)
		if err != nil {
			t.Fatal(err)
		}
		secret := hkdfExpandLabel(initial, "client in", 32)
		got := []string{
			hex.EncodeToString(hkdfExpandLabel(secret, prefix+"key", 16)),
			hex.EncodeToString(hkdfExpandLabel(secret, prefix+"iv", 12)),
			hex.EncodeToString(hkdfExpandLabel(secret, prefix+"hp", 16)),
		}
		if diff := cmp.Diff(got, []string{tt.key, tt.iv, tt.hp}); diff != "" {
			t.Errorf("version %#x keys (-got, +want):\n%s", tt.version, diff)
		}
	}
}

// sealInitial builds a protected client Initial carrying frames, the way a
// client does (RFC 9001 sections 5.3 and 5.4), padded to 1200 bytes.
func sealInitial(t testing.TB, version uint32, dcid []byte, pn uint32, frames []byte) []byte {
	t.Helper()
	k, ok := clientInitialKeys(version, dcid)
	if !ok {
		t.Fatalf("clientInitialKeys(%#x) failed", version)
	}
	first := byte(0xc0 | 3) // long header, fixed bit, 4-byte packet number
	if version == QUICv2 {
		first |= 1 << 4
	}
	hdr := []byte{first}
	hdr = binary.BigEndian.AppendUint32(hdr, version)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0) // empty SCID
	hdr = append(hdr, 0) // no token
	pad := 1200 - len(hdr) - 2 - 4 - len(frames) - 16
	payload := append(append([]byte(nil), frames...), make([]byte, max(pad, 0))...)
	length := 4 + len(payload) + 16
	hdr = append(hdr, 0x40|byte(length>>8), byte(length))
	pnOff := len(hdr)
	hdr = binary.BigEndian.AppendUint32(hdr, pn)
	nonce := append([]byte(nil), k.iv...)
	for i := range 8 {
		nonce[len(nonce)-1-i] ^= byte(uint64(pn) >> (8 * i))
	}
	pkt := k.aead.Seal(append([]byte(nil), hdr...), nonce, payload, hdr)
	var mask [16]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := range 4 {
		pkt[pnOff+i] ^= mask[1+i]
	}
	return pkt
}

func cryptoFrame(off int, data []byte) []byte {
	f := []byte{0x06, 0x40 | byte(off>>8), byte(off), 0x40 | byte(len(data)>>8), byte(len(data))}
	return append(f, data...)
}

func TestQUICInitial(t *testing.T) {
	hello := hsMsg(1, foxioHello())
	half := len(hello) / 2
	dcid := unhex(t, "8394c8f03e515708")
	for _, version := range []uint32{QUICv1, QUICv2, 0xff00001d} {
		var q QUICInitial
		// The second half comes first and in its own packet, with an ACK
		// and a PING around it, as Chrome's scrambled Initials do.
		p1 := sealInitial(t, version, dcid, 1, append(append([]byte{0x01}, cryptoFrame(half, hello[half:])...), 0x02, 0, 0, 0, 0))
		p2 := sealInitial(t, version, dcid, 2, append(cryptoFrame(0, hello[:10]), cryptoFrame(10, hello[10:half])...))
		if q.Datagram(p1) {
			t.Fatalf("version %#x: complete after the first half", version)
		}
		if !q.Datagram(p2) {
			var problems []string
			q.Problems().Each(func(p Problem, n uint64) { problems = append(problems, p.String()) })
			t.Fatalf("version %#x: ClientHello not recovered (problems %v)", version, problems)
		}
		h := QUICHandshake(q.Hello(), 7)
		if got, want := *h.JA4, "q13d1516h2_8daaf6152771_e5627efa2ab1"; got != want {
			t.Errorf("version %#x: JA4 = %q, want %q", version, got, want)
		}
		if got, want := *h.ServerName, "example.com"; got != want {
			t.Errorf("version %#x: ServerName = %q, want %q", version, got, want)
		}
	}
}

func TestQUICInitialRejects(t *testing.T) {
	dcid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	good := sealInitial(t, QUICv1, dcid, 0, cryptoFrame(0, hsMsg(1, foxioHello())))
	tampered := append([]byte(nil), good...)
	tampered[len(tampered)-1] ^= 1
	gquic := append([]byte{0xc3, 'Q', '0', '5', '0'}, good[5:]...)
	tests := []struct {
		name    string
		dgram   []byte
		problem string
	}{
		{"tampered", tampered, "tls_quic_decrypt"},
		{"google quic", gquic, "tls_quic_version"},
		{"short header", []byte{0x40, 1, 2, 3}, ""},
		{"truncated", good[:30], ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var q QUICInitial
			if q.Datagram(tt.dgram) {
				t.Fatal("Datagram() = true, want false")
			}
			got := ""
			q.Problems().Each(func(p Problem, n uint64) { got = p.String() })
			if got != tt.problem {
				t.Errorf("problem = %q, want %q", got, tt.problem)
			}
		})
	}
}

// quicSeed is a client Initial carrying the FoxIO example hello.
func quicSeed(tb testing.TB, version uint32) []byte {
	return sealInitial(tb, version, []byte{1, 2, 3, 4, 5, 6, 7, 8}, 0, cryptoFrame(0, hsMsg(1, foxioHello())))
}
